/**
 * The broker's one meter set, one per {@link io.volantmq.broker.Broker}: {@link io.volantmq.broker.metrics.BrokerMetrics}
 * holds the event counters the hot path updates (packets, bytes, messages, connects, drops by reason, limit
 * refusals), {@link io.volantmq.broker.metrics.TrafficMetricsHandler} feeds it from every pipeline. Every meter
 * lives in the broker's own registry: no counter here or anywhere else in the broker is static, so brokers side by
 * side in one JVM count on their own.
 * <p>
 * The core (session, routing, transport) counts into this package, so this package reads nothing of the core: it
 * depends on {@code protocol} (packet types) only. What reads the core's state to show it, {@link
 * io.volantmq.broker.BrokerGauges} and {@link io.volantmq.broker.BrokerStats}, lives in the root package above it.
 */
package io.volantmq.broker.metrics;
