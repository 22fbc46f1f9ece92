package io.volantmq.broker.routing;

import io.volantmq.broker.protocol.Topics;

/**
 * What one session asked for with one filter.
 *
 * @param qos               maximum QoS granted
 * @param noLocal           MQTT 5: do not deliver the session's own publishes
 * @param retainAsPublished MQTT 5: keep the retain flag on forwarded messages
 * @param subscriptionId    MQTT 5 subscription identifier, 0 for none
 * @param shareGroup        MQTT 5 shared subscription group, null for an ordinary subscription
 */
public record SubscriptionOptions(int qos, boolean noLocal, boolean retainAsPublished, int subscriptionId,
                                  String shareGroup) {

    /** Options for a filter; {@code $share/...} is a shared subscription only for MQTT 5 clients. */
    public static SubscriptionOptions of(String filter, boolean v5, int qos, boolean noLocal, boolean retainAsPublished,
                                         int subscriptionId) {
        String group = v5 && Topics.isShared(filter) ? SharedSubscriptions.group(filter) : null;
        return new SubscriptionOptions(qos, noLocal, retainAsPublished, subscriptionId, group);
    }

    public boolean shared() {
        return shareGroup != null;
    }
}
