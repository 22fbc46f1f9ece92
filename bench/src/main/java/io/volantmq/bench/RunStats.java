package io.volantmq.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters every event loop adds to and the reporting thread reads. */
final class RunStats {
    private static final int KEPT_ERRORS = 20;

    final LongAdder sent = new LongAdder();
    /** Sent at or after the end of the warm-up. */
    final LongAdder measuredSent = new LongAdder();
    /** Every PUBLISH a subscriber received, duplicates included. */
    final LongAdder delivered = new LongAdder();
    /** Deliveries of a (stream, subscriber, sequence) not seen before. */
    final LongAdder distinctDelivered = new LongAdder();
    /** Deliveries at or after the end of the warm-up. */
    final LongAdder measuredDelivered = new LongAdder();
    /** QoS 1/2 publishes whose flow completed (PUBACK, PUBCOMP). */
    final LongAdder acked = new LongAdder();
    final LatencyRecorder latency = new LatencyRecorder();

    private final AtomicLong errorCount = new AtomicLong();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

    /** When publishing starts; latency and rates count from {@link #measureStartNanos}. */
    volatile long startNanos;
    volatile long measureStartNanos = Long.MAX_VALUE;

    void error(String message) {
        if (errorCount.incrementAndGet() <= KEPT_ERRORS) {
            errors.add(message);
        }
    }

    long errorCount() {
        return errorCount.get();
    }

    /** The first errors, in order. */
    List<String> errors() {
        return new ArrayList<>(errors);
    }
}
