package io.volantmq.bench;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes the publishers when their next message falls due at the fixed rate. A thread of its own
 * parking to the nanosecond, because the NIO selector's timers are only good to a millisecond, which
 * would send a 5,000 msgs/s stream in bursts of five. Every stream runs at the same rate from the same
 * start, so one schedule serves them all; each publisher works out itself what is due.
 */
final class Pacer implements AutoCloseable {
    /** At high rates publishers send what fell due in batches rather than being woken per message. */
    private static final long MIN_PARK_NANOS = 20_000;

    private final List<Publisher> publishers;
    private final double ratePerStream;
    private final long startNanos;
    private final Thread thread;
    private volatile boolean stopped;

    Pacer(List<Publisher> publishers, double ratePerStream, long startNanos) {
        this.publishers = publishers;
        this.ratePerStream = ratePerStream;
        this.startNanos = startNanos;
        this.thread = new Thread(this::run, "bench-pacer");
        this.thread.setDaemon(true);
    }

    Pacer start() {
        thread.start();
        return this;
    }

    private void run() {
        while (!stopped) {
            for (Publisher publisher : publishers) {
                publisher.wake();
            }
            long now = System.nanoTime();
            long dueSoFar = (long) ((now - startNanos) * ratePerStream / 1e9);
            long next = startNanos + (long) ((dueSoFar + 1) * 1e9 / ratePerStream);
            LockSupport.parkNanos(Math.max(next - now, MIN_PARK_NANOS));
        }
    }

    @Override
    public void close() {
        stopped = true;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
