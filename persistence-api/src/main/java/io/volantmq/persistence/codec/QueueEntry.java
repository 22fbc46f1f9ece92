package io.volantmq.persistence.codec;

import io.volantmq.persistence.InflightState;

import java.util.List;
import java.util.Objects;

/**
 * A queue entry as stores that keep message bodies apart keep it: which body it references and what differs
 * per subscriber.
 *
 * @param bodyId          the id of the stored body
 * @param payloadLength   the body's payload length, so queue statistics need not read the body
 * @param qos             QoS to deliver at
 * @param retain          retain flag to deliver with
 * @param subscriptionIds MQTT 5 subscription identifiers
 * @param packetId        packet id it was sent with, 0 while queued
 * @param state           where it stands
 */
public record QueueEntry(long bodyId, int payloadLength, int qos, boolean retain, List<Integer> subscriptionIds,
                         int packetId, InflightState state) {
    public QueueEntry {
        subscriptionIds = subscriptionIds == null ? List.of() : List.copyOf(subscriptionIds);
        Objects.requireNonNull(state, "state");
    }

    public QueueEntry withInflight(int newPacketId, InflightState newState) {
        return new QueueEntry(bodyId, payloadLength, qos, retain, subscriptionIds, newPacketId, newState);
    }
}
