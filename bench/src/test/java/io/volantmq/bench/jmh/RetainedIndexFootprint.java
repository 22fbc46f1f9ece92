package io.volantmq.bench.jmh;

import io.volantmq.broker.routing.RetainedIndex;
import io.volantmq.persistence.StoredMessage;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap the retained index itself holds per retained message (its maps or trie nodes, not the messages,
 * which exist before they are indexed): the used heap after a full GC with the messages alone, then with
 * them indexed. Topics {@code site/S/dev/D/temp}, 100 devices per site, as in {@link RetainedIndexBenchmark}.
 * Run: {@code java -cp <bench test classpath> io.volantmq.bench.jmh.RetainedIndexFootprint [count]}.
 */
public final class RetainedIndexFootprint {
    private RetainedIndexFootprint() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        StoredMessage[] messages = new StoredMessage[count];
        byte[] payload = new byte[100];
        for (int i = 0; i < count; i++) {
            // topics built first and kept by the messages: only the index's own structures are measured
            messages[i] = new StoredMessage("site/" + i / 100 + "/dev/" + i % 100 + "/temp", 0, true, payload, null, 0, 0);
        }
        long before = usedAfterGc();
        RetainedIndex index = new RetainedIndex(new RetainedIndexBenchmark.NoStore(), 0, 0);
        for (StoredMessage m : messages) {
            index.update(m);
        }
        long after = usedAfterGc();
        System.out.printf("retained %d: index %d bytes, %.1f bytes per retained message (size %d)%n",
                count, after - before, (after - before) / (double) count, index.size());
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
