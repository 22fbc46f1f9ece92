package io.volantmq.bench.jmh;

import io.volantmq.broker.routing.RetainedIndex;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.StoredMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The retained index (issue 17, target 3) with 10,000 or 100,000 retained topics {@code site/S/dev/D/temp}
 * (100 devices per site, so the wildcard lookup of one site matches 100 either way): a
 * retained PUBLISH replacing a topic's message (the publish path, with the bounds' totals), the
 * lookup of an exact filter and of a wildcard one (the subscribe path). The store behind it does
 * nothing, so only the index is measured. Run with {@code -t 1} and {@code -t 2}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RetainedIndexBenchmark {
    private static final int DEVICES = 100;
    private static final byte[] PAYLOAD = new byte[100];
    private static final byte[] RESIZED = new byte[101];

    /** Bounded, as a production broker is (maxRetainedMessages), so update keeps the totals. */
    private final RetainedIndex index = new RetainedIndex(new NoStore(), 1_000_000, 1L << 30);
    @Param({"10000", "100000"})
    public int retained;
    private int sites;
    private StoredMessage[] messages;

    @Setup
    public void retain() {
        sites = retained / DEVICES;
        messages = new StoredMessage[sites * DEVICES];
        for (int s = 0; s < sites; s++) {
            for (int d = 0; d < DEVICES; d++) {
                StoredMessage m = new StoredMessage("site/" + s + "/dev/" + d + "/temp", 0, true, PAYLOAD, null, 0, 0);
                messages[s * DEVICES + d] = m;
                index.update(m);
            }
        }
    }

    /** A topic's message replaced by one of the same size: the totals do not change. */
    @Benchmark
    public boolean update() {
        return index.update(messages[ThreadLocalRandom.current().nextInt(messages.length)]);
    }

    /** Replaced by one a byte larger or smaller: the byte total changes, a write every event loop shares. */
    @Benchmark
    public boolean updateResized() {
        int i = ThreadLocalRandom.current().nextInt(messages.length);
        StoredMessage m = messages[i];
        return index.update(new StoredMessage(m.topic(), 0, true,
                ThreadLocalRandom.current().nextBoolean() ? PAYLOAD : RESIZED, null, 0, 0));
    }

    @Benchmark
    public List<StoredMessage> matchExact() {
        return index.match(messages[ThreadLocalRandom.current().nextInt(messages.length)].topic(), 1);
    }

    /** One site's 100 devices: a scan of every retained topic today. */
    @Benchmark
    public List<StoredMessage> matchWildcard() {
        return index.match("site/" + ThreadLocalRandom.current().nextInt(sites) + "/+/+/temp", 1);
    }

    /** Keeps nothing: the index alone is measured (here and in {@link RetainedIndexFootprint}). */
    static final class NoStore implements RetainedStore {
        @Override
        public void put(StoredMessage message) {
        }

        @Override
        public void delete(String topic) {
        }

        @Override
        public Optional<StoredMessage> get(String topic) {
            return Optional.empty();
        }

        @Override
        public long count() {
            return 0;
        }

        @Override
        public void forEach(Consumer<StoredMessage> visitor) {
        }
    }
}
