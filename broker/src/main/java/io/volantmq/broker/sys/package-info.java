/**
 * The {@code $SYS/broker/...} topic tree: {@link io.volantmq.broker.sys.SysTreePublisher} publishes, as retained
 * messages at a fixed interval, what the broker's meter set ({@link io.volantmq.broker.metrics}) holds, read through
 * {@link io.volantmq.broker.BrokerStats}, with load averages ({@link io.volantmq.broker.sys.LoadAverage})
 * derived from those counters. It owns no counters of its own: a value shown here is the one {@code /metrics} shows.
 */
package io.volantmq.broker.sys;
