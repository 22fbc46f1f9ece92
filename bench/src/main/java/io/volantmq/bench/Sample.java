package io.volantmq.bench;

/**
 * One second of a run, for the progress line and the HTML chart.
 *
 * @param seconds     since publishing started, at the end of the interval
 * @param phase       "warm-up", "run" or "drain"
 * @param latencyP50Us and the other latencies: of the messages delivered in the interval, in
 *                    microseconds, 0 when none
 */
record Sample(double seconds, String phase, double sentPerSecond, double deliveredPerSecond, double latencyP50Us,
              double latencyP99Us, double latencyMaxUs) {
}
