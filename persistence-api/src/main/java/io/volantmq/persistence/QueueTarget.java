package io.volantmq.persistence;

import java.util.List;
import java.util.Objects;

/**
 * One session a message is queued for, with what differs per subscriber.
 *
 * @param clientId        the session
 * @param qos             QoS to deliver at (already downgraded to the subscription's)
 * @param retain          retain flag to deliver with
 * @param subscriptionIds MQTT 5 subscription identifiers to deliver with; empty for none
 */
public record QueueTarget(String clientId, int qos, boolean retain, List<Integer> subscriptionIds) {
    public QueueTarget {
        Objects.requireNonNull(clientId, "clientId");
        subscriptionIds = subscriptionIds == null ? List.of() : List.copyOf(subscriptionIds);
    }
}
