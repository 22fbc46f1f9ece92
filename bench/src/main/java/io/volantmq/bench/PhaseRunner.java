package io.volantmq.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs one setup step (connect, subscribe) over many clients with a bounded number outstanding, so a
 * 10,000-connection run does not overflow the broker's accept backlog. Bounded in time; the first
 * failure aborts the run.
 */
final class PhaseRunner {
    private static final long BASE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long PER_CLIENT_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final int concurrency;
    private final PrintWriter progress;

    PhaseRunner(int concurrency, PrintWriter progress) {
        this.concurrency = concurrency;
        this.progress = progress;
    }

    /** Applies {@code step} to every client; returns once all completed, throws on the first failure. */
    void run(String name, List<BenchClient> clients, Function<BenchClient, CompletableFuture<Void>> step)
            throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long deadline = start + BASE_TIMEOUT_NANOS + PER_CLIENT_TIMEOUT_NANOS * clients.size();
        long[] nextReport = {start + TimeUnit.SECONDS.toNanos(1)};
        for (BenchClient client : clients) {
            while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                check(name, failure, deadline, done.get(), clients.size(), nextReport);
            }
            check(name, failure, deadline, done.get(), clients.size(), nextReport);
            step.apply(client).whenComplete((ignored, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
                done.incrementAndGet();
                permits.release();
            });
        }
        while (done.get() < clients.size()) {
            Thread.sleep(5);
            check(name, failure, deadline, done.get(), clients.size(), nextReport);
        }
        check(name, failure, deadline, done.get(), clients.size(), nextReport);
        if (clients.size() > 100) {
            progress.printf(Locale.ROOT, "%s: %,d clients in %.2f s%n", name, clients.size(),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    private void check(String name, AtomicReference<Throwable> failure, long deadline, int done, int total,
                       long[] nextReport) {
        Throwable error = failure.get();
        if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            throw new SetupException(name + " failed: " + cause.getMessage(), cause);
        }
        long now = System.nanoTime();
        if (now > deadline) {
            throw new SetupException(name + " timed out with " + done + " of " + total + " clients done");
        }
        if (now >= nextReport[0]) {
            progress.printf(Locale.ROOT, "%s: %,d/%,d%n", name, done, total);
            nextReport[0] = now + TimeUnit.SECONDS.toNanos(1);
        }
    }

    /** The broker could not be reached, refused a client, or took too long: no numbers to report. */
    static final class SetupException extends RuntimeException {
        SetupException(String message) {
            super(message);
        }

        SetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
