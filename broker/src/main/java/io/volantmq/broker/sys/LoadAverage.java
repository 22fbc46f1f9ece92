package io.volantmq.broker.sys;

/**
 * Moving averages of a counter's rate over 1, 5 and 15 minutes, per minute, as Mosquitto's
 * {@code $SYS/broker/load/...} topics give them. Fed the counter's running total at irregular
 * moments; each sample moves an average by {@code 1 - e^(-elapsed/window)} towards the rate seen
 * since the previous sample, so the result does not depend on how often it is sampled. Starts at 0,
 * like a Unix load average. Not thread-safe: one sampling thread.
 */
final class LoadAverage {
    private static final double[] WINDOWS_SECONDS = {60, 300, 900};

    private final double[] averages = new double[WINDOWS_SECONDS.length];
    private double lastTotal = Double.NaN;
    private long lastNanos;

    /** Records {@code total}, the counter's value at {@code nanos} (a monotonic clock). */
    void sample(double total, long nanos) {
        if (Double.isNaN(lastTotal)) {
            lastTotal = total;
            lastNanos = nanos;
            return;
        }
        double elapsed = (nanos - lastNanos) / 1e9;
        if (elapsed <= 0) {
            return;
        }
        double perMinute = Math.max(0, total - lastTotal) / elapsed * 60;
        for (int i = 0; i < averages.length; i++) {
            double weight = 1 - Math.exp(-elapsed / WINDOWS_SECONDS[i]);
            averages[i] += weight * (perMinute - averages[i]);
        }
        lastTotal = total;
        lastNanos = nanos;
    }

    /** Per minute, averaged over the last minute. */
    double oneMinute() {
        return averages[0];
    }

    double fiveMinutes() {
        return averages[1];
    }

    double fifteenMinutes() {
        return averages[2];
    }
}
