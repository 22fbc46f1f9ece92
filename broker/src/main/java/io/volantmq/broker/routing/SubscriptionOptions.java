package io.volantmq.broker.routing;

/**
 * What one session asked for with one filter.
 *
 * @param qos               maximum QoS granted
 * @param noLocal           MQTT 5: do not deliver the session's own publishes
 * @param retainAsPublished MQTT 5: keep the retain flag on forwarded messages
 * @param subscriptionId    MQTT 5 subscription identifier, 0 for none
 */
public record SubscriptionOptions(int qos, boolean noLocal, boolean retainAsPublished, int subscriptionId) {
}
