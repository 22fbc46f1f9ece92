package io.volantmq.persistence;

import java.util.List;

/**
 * An entry of a session's outbound queue.
 *
 * @param seq             position in the session's queue; positive, strictly increasing in enqueue
 *                        order and never reused by a queue, also after a restart or a clear
 * @param message         the message (shared with the other queues it was enqueued to)
 * @param qos             QoS to deliver at
 * @param retain          retain flag to deliver with
 * @param subscriptionIds MQTT 5 subscription identifiers
 * @param packetId        packet id it was sent with, 0 while {@link InflightState#QUEUED}
 * @param state           where it stands
 */
public record QueuedMessage(long seq, StoredMessage message, int qos, boolean retain,
                            List<Integer> subscriptionIds, int packetId, InflightState state) {
    public QueuedMessage {
        subscriptionIds = subscriptionIds == null ? List.of() : List.copyOf(subscriptionIds);
    }
}
