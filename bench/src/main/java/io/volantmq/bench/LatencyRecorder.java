package io.volantmq.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * End-to-end latency in nanoseconds: event loops record concurrently (wait-free), the reporting thread
 * takes one interval histogram per tick and folds it into the run's total.
 */
final class LatencyRecorder {
    /** Three significant digits: 0.1 % resolution at any magnitude. */
    private static final int DIGITS = 3;

    private final Recorder recorder = new Recorder(DIGITS);
    private final Histogram total = new Histogram(DIGITS);

    /** Any thread. Negative values (clock skew cannot happen in one JVM, rounding can) count as 0. */
    void record(long nanos) {
        recorder.recordValue(Math.max(0, nanos));
    }

    /** Reporting thread only: what was recorded since the last call, also added to {@link #total()}. */
    Histogram interval() {
        Histogram interval = recorder.getIntervalHistogram();
        total.add(interval);
        return interval;
    }

    /** Reporting thread only: everything taken by {@link #interval()} so far. */
    Histogram total() {
        return total;
    }

    static double micros(long nanos) {
        return nanos / 1000.0;
    }
}
