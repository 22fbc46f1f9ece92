/**
 * The load tool: publish/subscribe scenarios against any MQTT broker (latency, throughput, loss and order checked
 * per stream), the connection scenario, the store benchmark, and the reports written to bench/results and
 * docs/benchmarks.md.
 */
package io.volantmq.bench;
