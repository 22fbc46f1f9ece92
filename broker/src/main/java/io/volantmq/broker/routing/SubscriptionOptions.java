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
        if (group == null && subscriptionId == 0 && qos >= 0 && qos <= 2) {
            return COMMON[commonIndex(qos, noLocal, retainAsPublished)];
        }
        return new SubscriptionOptions(qos, noLocal, retainAsPublished, subscriptionId, group);
    }

    /**
     * The options without a subscription id or share group, one instance each: most subscriptions have such
     * options, and every session and tree entry would otherwise hold a copy (32 bytes).
     */
    private static final SubscriptionOptions[] COMMON = new SubscriptionOptions[12];

    static {
        for (int qos = 0; qos <= 2; qos++) {
            for (int flags = 0; flags < 4; flags++) {
                boolean noLocal = (flags & 2) != 0;
                boolean retainAsPublished = (flags & 1) != 0;
                COMMON[commonIndex(qos, noLocal, retainAsPublished)] =
                        new SubscriptionOptions(qos, noLocal, retainAsPublished, 0, null);
            }
        }
    }

    private static int commonIndex(int qos, boolean noLocal, boolean retainAsPublished) {
        return qos * 4 + (noLocal ? 2 : 0) + (retainAsPublished ? 1 : 0);
    }

    public boolean shared() {
        return shareGroup != null;
    }
}
