package io.volantmq.persistence;

import java.util.Objects;

/**
 * One subscription of a session, with every MQTT 5 option.
 *
 * @param filter            topic filter as subscribed, including any {@code $share/group/} prefix
 * @param qos               maximum QoS granted
 * @param noLocal           MQTT 5 no local
 * @param retainAsPublished MQTT 5 retain as published
 * @param retainHandling    MQTT 5 retain handling, 0..2
 * @param subscriptionId    MQTT 5 subscription identifier, 0 for none
 */
public record StoredSubscription(String filter, int qos, boolean noLocal, boolean retainAsPublished,
                                 int retainHandling, int subscriptionId) {
    public StoredSubscription {
        Objects.requireNonNull(filter, "filter");
    }
}
