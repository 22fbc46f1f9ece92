/**
 * The broker's one meter set, one per {@link io.volantmq.broker.Broker}: {@link io.volantmq.broker.metrics.BrokerMetrics}
 * holds the event counters the hot path updates (packets, bytes, messages, connects, drops by reason, limit
 * refusals), {@link io.volantmq.broker.metrics.TrafficMetricsHandler} feeds it from every pipeline,
 * {@link io.volantmq.broker.metrics.BrokerGauges} registers the gauges and function counters over state the core
 * keeps (sessions, subscriptions, queues, store health, group commits, blocked logins), and
 * {@link io.volantmq.broker.metrics.BrokerStats} is the read side that {@code /metrics}, the admin API and
 * {@code $SYS} share. Every meter lives in the broker's own registry: no counter here or anywhere else in the
 * broker is static, so brokers side by side in one JVM count on their own.
 */
package io.volantmq.broker.metrics;
