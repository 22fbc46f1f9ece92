package io.volantmq.plugin.api;

import java.util.List;
import java.util.Objects;

/**
 * An application message as a plugin sees (and may change) it. Immutable: the {@code with*} methods
 * return a changed copy. The payload array is the plugin's to read; do not change it in place.
 *
 * @param topic          the topic name
 * @param payload        the payload (never null)
 * @param qos            0, 1 or 2
 * @param retain         the RETAIN flag
 * @param userProperties MQTT 5 user properties (empty for 3.x publishers), in order
 */
public record Message(String topic, byte[] payload, int qos, boolean retain, List<UserProperty> userProperties) {
    /** Checks the QoS and copies the property list. */
    public Message {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload;
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
        userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    }

    /** A message without user properties. */
    public static Message of(String topic, byte[] payload, int qos, boolean retain) {
        return new Message(topic, payload, qos, retain, List.of());
    }

    /** This message on another topic. */
    public Message withTopic(String newTopic) {
        return new Message(newTopic, payload, qos, retain, userProperties);
    }

    /** This message with another payload. */
    public Message withPayload(byte[] newPayload) {
        return new Message(topic, newPayload, qos, retain, userProperties);
    }

    /** This message at another QoS. */
    public Message withQos(int newQos) {
        return new Message(topic, payload, newQos, retain, userProperties);
    }

    /** This message with another RETAIN flag. */
    public Message withRetain(boolean newRetain) {
        return new Message(topic, payload, qos, newRetain, userProperties);
    }

    /** This message with another list of user properties. */
    public Message withUserProperties(List<UserProperty> properties) {
        return new Message(topic, payload, qos, retain, properties);
    }

    /** This message with one more user property. */
    public Message withUserProperty(String name, String value) {
        List<UserProperty> more = new java.util.ArrayList<>(userProperties);
        more.add(new UserProperty(name, value));
        return new Message(topic, payload, qos, retain, more);
    }

    @Override
    public String toString() {
        return "Message[topic=" + topic + ", payload=" + payload.length + " bytes, qos=" + qos + ", retain=" + retain
                + ", userProperties=" + userProperties + "]";
    }
}
