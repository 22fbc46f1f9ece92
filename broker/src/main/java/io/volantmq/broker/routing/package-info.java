/**
 * Where a message goes: the {@link io.volantmq.broker.routing.SubscriptionTree} of topic filters, the {@link
 * io.volantmq.broker.routing.Router} that matches a PUBLISH to recipients (online connections, offline persistent
 * sessions' queues, one member of each shared group), the {@link io.volantmq.broker.routing.RetainedIndex} of
 * retained messages with its limits, and {@link io.volantmq.broker.routing.QueueLimits} bounding offline queues.
 */
package io.volantmq.broker.routing;
