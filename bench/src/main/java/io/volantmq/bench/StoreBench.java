package io.volantmq.bench;

import io.volantmq.bench.StoreSettings.Mode;
import io.volantmq.bench.StoreSettings.Phase;
import io.volantmq.persistence.buffered.BufferedBacklog;
import io.volantmq.persistence.buffered.BufferedStore;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Providers;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

/**
 * The store benchmark behind {@code bench store}: drives a backend's {@link MessageStore} directly,
 * the way the broker does, without the network.
 *
 * <ul>
 *   <li><b>append</b>: {@code enqueue} of one message to one queue per thread;</li>
 *   <li><b>fan-out</b>: {@code enqueue} of one message to {@code fanOut} queues per thread;</li>
 *   <li><b>cycle</b>: one QoS 1 delivery's store calls per message: {@code enqueue}, {@code read},
 *       {@code updateInflight(SENT)}, {@code remove} (PUBACK);</li>
 *   <li><b>recovery</b>: queue N messages over Q sessions' queues, close, then time what a restart
 *       and the sessions' return cost: open, visit every session and subscription, read every queue
 *       to its end.</li>
 * </ul>
 *
 * Each throughput phase runs single-threaded and with N threads (each thread its own queues), in
 * sync mode (the backend as the broker opens it) and buffered mode ({@link BufferedStore} over it).
 * After each phase, untimed, the queues are checked against what was written (entries and payload
 * bytes; the cycle also checks each read returned the message just queued) and cleared.
 */
final class StoreBench {
    /** Group-commit fills: enqueues per thread between syncs. */
    private static final int FILL_SYNC_EVERY = 1000;

    /** Largest read the recovery phase asks for (the broker's queue moves read 256 at a time). */
    static final int RECOVERY_READ_BATCH = 256;
    /** The broker's outbound window: a delivery reads at most this many entries. */
    static final int CYCLE_READ_MAX = 64;
    private static final long FLUSH_TIMEOUT_MILLIS = 300_000;

    /** Opens the store under test with extra settings laid over the configured ones. */
    interface Backend {
        String name();

        boolean durable();

        Store open(Map<String, String> settings);

        /** The backend found by {@link Providers#select} on this class path. */
        static Backend provider(String requested) {
            Provider provider = Providers.select(requested, StoreBench.class.getClassLoader());
            return new Backend() {
                @Override
                public String name() {
                    return provider.name();
                }

                @Override
                public boolean durable() {
                    return provider.durable();
                }

                @Override
                public Store open(Map<String, String> settings) {
                    // each call here is timed as one durable write: group commit (the broker's
                    // default) is measured end to end, through the broker
                    Map<String, String> values = new java.util.HashMap<>(settings);
                    java.util.Set<String> known = provider.settingKeys();
                    if (known == null || known.contains("commit")) { // memory has no commit mode
                        values.putIfAbsent("commit", "each");
                    }
                    return provider.open(new ProviderConfig(provider.name(), values));
                }
            };
        }
    }

    private final StoreSettings settings;
    private final Backend backend;
    private final PrintWriter progress;
    private final String run = Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL, 36);
    private int threadsN;

    StoreBench(StoreSettings settings, Backend backend, PrintWriter progress) {
        this.settings = settings;
        this.backend = backend;
        this.progress = progress;
        this.threadsN = settings.threads();
    }

    StoreResult run() throws InterruptedException {
        List<StoreResult.Load> loads = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<Phase> loadPhases = Stream.of(Phase.APPEND, Phase.FAN_OUT, Phase.CYCLE)
                .filter(settings.phases()::contains).toList();
        if (!loadPhases.isEmpty()) {
            for (Mode mode : settings.modes()) {
                if (mode == Mode.BUFFERED && !backend.durable()) {
                    say("buffered mode skipped: '%s' is not durable (the broker buffers durable backends only)", backend.name());
                    continue;
                }
                Store opened = backend.open(settings.config());
                BufferedStore buffered = mode == Mode.BUFFERED
                        ? new BufferedStore(opened, backend.name(),
                        BufferedStore.Options.DEFAULTS.withSyncIntervalMillis(settings.syncIntervalMillis()))
                        : null;
                Store store = buffered != null ? buffered : opened;
                try {
                    resolveThreads(store);
                    for (Phase phase : loadPhases) {
                        for (int threads : threadCounts()) {
                            StoreResult.Load load = load(store, buffered, phase, mode, threads);
                            loads.add(load);
                            say("%-8s %-8s x%-3d %,12.0f ops/s  %,12.0f entries/s  p50 %,7.0f us  p99 %,9.0f us%s",
                                    phase.key, mode.key, threads, load.opsPerSecond(), load.entriesPerSecond(),
                                    load.latency().p50(), load.latency().p99(),
                                    load.problems().isEmpty() ? "" : "  PROBLEMS: " + load.problems());
                        }
                    }
                } finally {
                    long closing = System.nanoTime();
                    store.close();
                    if (buffered != null) {
                        say("buffered store closed in %.1f s", seconds(System.nanoTime() - closing));
                    }
                }
            }
        }
        StoreResult.Recovery recovery = settings.phases().contains(Phase.RECOVERY) ? recovery() : null;
        return new StoreResult(settings, backend.name(), backend.durable(), Math.max(threadsN, 1), loads, recovery, errors);
    }

    private void resolveThreads(Store store) {
        if (threadsN == 0) {
            threadsN = Math.max(1, Math.min(8, store.maxConcurrency()));
        }
    }

    private List<Integer> threadCounts() {
        return threadsN > 1 ? List.of(1, threadsN) : List.of(1);
    }

    // ---- throughput phases ----

    private StoreResult.Load load(Store store, BufferedStore buffered, Phase phase, Mode mode, int threads)
            throws InterruptedException {
        MessageStore messages = store.messages();
        int perMessage = phase == Phase.FAN_OUT ? settings.fanOut() : 1;
        String topic = "bench/" + run + "/" + phase.key;
        List<List<QueueTarget>> targets = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<QueueTarget> mine = new ArrayList<>();
            for (int q = 0; q < perMessage; q++) {
                mine.add(new QueueTarget(run + "-" + phase.key + "-" + mode.key + "-x" + threads + "-t" + t + "-q" + q,
                        1, false, List.of()));
            }
            targets.add(List.copyOf(mine));
        }
        long[] budget = split(settings.count(), threads);
        long durationNanos = (long) (settings.durationSeconds() * 1e9);
        Worker[] workers = new Worker[threads];
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long[] startedAt = new long[1];
        for (int t = 0; t < threads; t++) {
            Worker w = new Worker(phase, messages, topic, targets.get(t), budget[t], t);
            workers[t] = w;
            w.thread = new Thread(() -> {
                ready.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                w.run(startedAt[0] + durationNanos);
            }, "store-bench-" + t);
            w.thread.start();
        }
        ready.await();
        BufferedBacklog before = buffered != null ? buffered.backlog() : null;
        startedAt[0] = System.nanoTime();
        go.countDown();
        long lastEnd = startedAt[0];
        for (Worker w : workers) {
            w.thread.join();
            lastEnd = Math.max(lastEnd, w.endedAt);
        }
        double seconds = seconds(lastEnd - startedAt[0]);
        StoreResult.Buffer buffer = null;
        if (buffered != null) {
            BufferedBacklog after = buffered.backlog();
            buffer = new StoreResult.Buffer(after.writtenOps() - before.writtenOps(),
                    after.coalescedOps() - before.coalescedOps(), after.blockedWrites() - before.blockedWrites(),
                    after.pendingOps());
        }

        // untimed: what the store holds must add up to what was written; then clear for the next phase
        List<String> problems = new ArrayList<>();
        Histogram latency = new Histogram(3);
        long ops = 0;
        for (int t = 0; t < threads; t++) {
            Worker w = workers[t];
            ops += w.done;
            latency.add(w.latency);
            if (w.error != null) {
                problems.add("thread " + t + " failed after " + w.done + " operations: " + w.error);
            }
            if (w.mismatches > 0) {
                problems.add(w.mismatches + " cycles read something other than the message just queued (first: "
                        + w.firstMismatch + ")");
            }
            long expected = phase == Phase.CYCLE ? 0 : w.done;
            for (QueueTarget target : targets.get(t)) {
                try {
                    QueueStats stats = messages.stats(target.clientId());
                    if (stats.messages() != expected || stats.payloadBytes() != expected * settings.payload()) {
                        problems.add(target.clientId() + " holds " + stats.messages() + " entries / " + stats.payloadBytes()
                                + " payload bytes, expected " + expected + " / " + expected * settings.payload());
                    }
                    messages.clear(target.clientId());
                } catch (RuntimeException e) {
                    problems.add("checking " + target.clientId() + " failed: " + e);
                }
            }
        }
        if (buffered != null && !buffered.flush(FLUSH_TIMEOUT_MILLIS)) {
            problems.add("the buffered store did not drain within " + FLUSH_TIMEOUT_MILLIS / 1000 + " s after the phase");
        }
        StoreResult.LatencyUs us = latency.getTotalCount() == 0 ? StoreResult.LatencyUs.NONE
                : new StoreResult.LatencyUs(latency.getValueAtPercentile(50) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0, latency.getMaxValue() / 1000.0);
        return new StoreResult.Load(phase, mode, threads, ops, ops * perMessage, seconds, us, buffer, problems);
    }

    /** One thread of a throughput phase: its own queues, its own share of the operations. */
    private final class Worker {
        final Phase phase;
        final MessageStore messages;
        final String topic;
        final List<QueueTarget> targets;
        final long budget;
        final byte[] template;
        final Histogram latency = new Histogram(3);
        Thread thread;
        long done;
        long endedAt;
        long mismatches;
        String firstMismatch;
        String error;

        Worker(Phase phase, MessageStore messages, String topic, List<QueueTarget> targets, long budget, int index) {
            this.phase = phase;
            this.messages = messages;
            this.topic = topic;
            this.targets = targets;
            this.budget = budget;
            this.template = template(settings.payload(), index);
        }

        void run(long deadline) {
            String clientId = targets.get(0).clientId();
            long cursor = 0;
            int packetId = 0;
            try {
                while (done < budget) {
                    long start = System.nanoTime();
                    if (start - deadline >= 0) {
                        break;
                    }
                    StoredMessage message = message(topic, template, done);
                    messages.enqueue(message, targets);
                    if (phase == Phase.CYCLE) {
                        List<QueuedMessage> got = messages.read(clientId, cursor, CYCLE_READ_MAX);
                        if (got.size() != 1 || index(got.get(0).message()) != done) {
                            mismatch(got);
                        }
                        if (!got.isEmpty()) {
                            QueuedMessage entry = got.get(got.size() - 1);
                            cursor = entry.seq();
                            packetId = packetId == 0xFFFF ? 1 : packetId + 1;
                            messages.updateInflight(clientId, entry.seq(), packetId, InflightState.SENT);
                            messages.remove(clientId, entry.seq()); // PUBACK
                        }
                    }
                    long end = System.nanoTime();
                    latency.recordValue(Math.max(0, end - start));
                    done++;
                }
            } catch (RuntimeException e) {
                error = e.toString();
            }
            endedAt = System.nanoTime();
        }

        private void mismatch(List<QueuedMessage> got) {
            if (mismatches++ == 0) {
                firstMismatch = "message " + done + ": read " + got.size() + " entries"
                        + (got.isEmpty() ? "" : ", first is message " + index(got.get(0).message()));
            }
        }
    }

    // ---- recovery ----

    private StoreResult.Recovery recovery() throws InterruptedException {
        long total = settings.recoveryMessages();
        int queues = settings.recoveryQueues();
        List<String> problems = new ArrayList<>();
        Map<String, String> fillSettings = new HashMap<>(settings.config());
        fillSettings.putAll(settings.fillConfig());
        String prefix = run + "-r";
        String[] ids = new String[queues];
        long[] perQueue = split(total, queues);
        for (int q = 0; q < queues; q++) {
            ids[q] = prefix + q;
        }

        Store store = backend.open(fillSettings);
        double fillSeconds;
        double closeSeconds = 0;
        try {
            resolveThreads(store);
            int threads = Math.min(threadsN, queues);
            say("recovery: queueing %,d messages in %,d queues with %d threads%s", total, queues, threads,
                    settings.fillConfig().isEmpty() ? "" : " (fill settings " + settings.fillConfig() + ")");
            long now = System.currentTimeMillis();
            for (int q = 0; q < queues; q++) {
                store.sessions().put(new SessionState(ids[q], 4, SessionState.NEVER_EXPIRES, now, null, 0));
                store.subscriptions().put(ids[q], new StoredSubscription("bench/" + run + "/r/" + q, 1, false, false, 0, 0));
            }
            fillSeconds = fill(store, ids, perQueue, threads, problems);
        } catch (RuntimeException | InterruptedException | Error e) {
            store.close();
            throw e;
        }
        if (backend.durable()) {
            long closing = System.nanoTime();
            store.close();
            closeSeconds = seconds(System.nanoTime() - closing);
        }
        long diskBytes = diskBytes(settings.disk());

        boolean reopened = backend.durable();
        double openSeconds = 0;
        long sessions = 0;
        long read = 0;
        double readSeconds;
        long started = System.nanoTime();
        if (reopened) {
            store = backend.open(settings.config());
            openSeconds = seconds(System.nanoTime() - started);
        }
        try {
            long readStart = System.nanoTime();
            AtomicLong seen = new AtomicLong();
            AtomicLong subscriptions = new AtomicLong();
            store.sessions().forEach(s -> {
                if (s.clientId().startsWith(prefix)) {
                    seen.incrementAndGet();
                }
            });
            store.subscriptions().forEach((clientId, sub) -> {
                if (clientId.startsWith(prefix)) {
                    subscriptions.incrementAndGet();
                }
            });
            sessions = seen.get();
            MessageStore messages = store.messages();
            for (int q = 0; q < queues; q++) {
                long expectedIndex = 0;
                long cursor = 0;
                while (true) {
                    List<QueuedMessage> batch = messages.read(ids[q], cursor, RECOVERY_READ_BATCH);
                    if (batch.isEmpty()) {
                        break;
                    }
                    for (QueuedMessage entry : batch) {
                        long index = index(entry.message());
                        if (index != expectedIndex && problems.size() < 10) {
                            problems.add(ids[q] + ": read message " + index + " where " + expectedIndex + " was expected");
                        }
                        expectedIndex = index + 1;
                        cursor = entry.seq();
                        read++;
                    }
                }
                if (expectedIndex != perQueue[q] && problems.size() < 10) {
                    problems.add(ids[q] + ": read up to message " + expectedIndex + " of " + perQueue[q]);
                }
            }
            readSeconds = seconds(System.nanoTime() - readStart);
            if (sessions != queues) {
                problems.add("found " + sessions + " of " + queues + " sessions");
            }
            if (subscriptions.get() != queues) {
                problems.add("found " + subscriptions.get() + " of " + queues + " subscriptions");
            }
            if (read != total) {
                problems.add("read " + read + " of " + total + " queued messages");
            }
        } finally {
            store.close();
        }
        say("recovery: %s%.2f s open + %.2f s read, %,d messages", reopened ? "" : "(not reopened) ", openSeconds,
                readSeconds, read);
        return new StoreResult.Recovery(total, queues, fillSeconds, closeSeconds, diskBytes, reopened, openSeconds,
                readSeconds, sessions, read, problems);
    }

    /** Queues perQueue[q] messages to each queue, interleaved, threads taking every threads-th queue. */
    private double fill(Store store, String[] ids, long[] perQueue, int threads, List<String> problems)
            throws InterruptedException {
        MessageStore messages = store.messages();
        long total = 0;
        for (long n : perQueue) {
            total += n;
        }
        AtomicLong filled = new AtomicLong();
        AtomicLongArray failedAt = new AtomicLongArray(threads);
        String[] errors = new String[threads];
        Thread[] workers = new Thread[threads];
        long started = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int me = t;
            failedAt.set(t, -1);
            workers[t] = new Thread(() -> {
                byte[] template = template(settings.payload(), me);
                String topic = "bench/" + run + "/r";
                List<Integer> mine = new ArrayList<>();
                long most = 0;
                for (int q = me; q < ids.length; q += threads) {
                    mine.add(q);
                    most = Math.max(most, perQueue[q]);
                }
                List<List<QueueTarget>> targets = mine.stream()
                        .map(q -> List.of(new QueueTarget(ids[q], 1, false, List.of()))).toList();
                // a group-commit fill (--fill-set commit=group) syncs now and then, as the broker would
                boolean group = store.durability() == Store.Durability.ON_SYNC;
                long mineFilled = 0;
                try {
                    for (long k = 0; k < most; k++) {
                        for (int i = 0; i < mine.size(); i++) {
                            if (k < perQueue[mine.get(i)]) {
                                messages.enqueue(message(topic, template, k), targets.get(i));
                                filled.incrementAndGet();
                                if (group && ++mineFilled % FILL_SYNC_EVERY == 0) {
                                    store.sync();
                                }
                            }
                        }
                    }
                    if (group) {
                        store.sync();
                    }
                } catch (RuntimeException e) {
                    failedAt.set(me, filled.get());
                    errors[me] = e.toString();
                }
            }, "store-bench-fill-" + t);
            workers[t].start();
        }
        long lastReport = System.nanoTime();
        for (Thread w : workers) {
            while (w.isAlive()) {
                w.join(1000);
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                    lastReport = System.nanoTime();
                    say("recovery: %,d of %,d queued (%.0f s)", filled.get(), total, seconds(lastReport - started));
                }
            }
        }
        double seconds = seconds(System.nanoTime() - started);
        for (int t = 0; t < threads; t++) {
            if (errors[t] != null) {
                problems.add("fill thread " + t + " failed: " + errors[t]);
            }
        }
        say("recovery: %,d queued in %.1f s (%,.0f msgs/s)", filled.get(), seconds, filled.get() / Math.max(seconds, 1e-9));
        return seconds;
    }

    // ---- helpers ----

    /** {@code total} split into {@code parts} shares differing by at most one. */
    static long[] split(long total, int parts) {
        long[] shares = new long[parts];
        for (int i = 0; i < parts; i++) {
            shares[i] = total / parts + (i < total % parts ? 1 : 0);
        }
        return shares;
    }

    /** Random-looking payload bytes (so a compressing engine does not shrink them to nothing). */
    static byte[] template(int size, int seed) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(0x5eed + seed);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    /** A QoS 1 message whose payload starts with its index. */
    static StoredMessage message(String topic, byte[] template, long index) {
        byte[] payload = template.clone();
        ByteBuffer.wrap(payload).putLong(0, index);
        return new StoredMessage(topic, 1, false, payload, null, System.currentTimeMillis(), 0);
    }

    static long index(StoredMessage message) {
        byte[] payload = message.payload();
        return payload.length < 8 ? -1 : ByteBuffer.wrap(payload).getLong(0);
    }

    /**
     * Bytes of a store on disk: a directory's files, or a file with its companions (names that
     * start with its name: journals, WAL and shared-memory files); -1 when it does not exist.
     */
    static long diskBytes(Path path) {
        if (path == null || !Files.exists(path)) {
            return -1;
        }
        try {
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    return files.filter(Files::isRegularFile).mapToLong(StoreBench::size).sum();
                }
            }
            Path dir = path.toAbsolutePath().getParent();
            String name = path.getFileName().toString();
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(p -> p.getFileName().toString().startsWith(name) && Files.isRegularFile(p))
                        .mapToLong(StoreBench::size).sum();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // deleted while we looked
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private void say(String format, Object... args) {
        if (!settings.quiet()) {
            progress.println("[store] " + backend.name() + ": " + String.format(Locale.ROOT, format, args));
            progress.flush();
        }
    }
}
