package io.volantmq.persistence;

import java.util.Arrays;
import java.util.Objects;

/**
 * An application message as stored: for retained messages, wills and queued messages.
 *
 * @param topic           topic name
 * @param qos             0, 1 or 2 as published
 * @param retain          the retain flag as published
 * @param payload         the payload, never null (may be empty)
 * @param properties      the MQTT 5 properties that travel with the message, encoded by the broker;
 *                        opaque to stores; empty for none
 * @param createdAtMillis when the broker received it (epoch millis)
 * @param expiresAtMillis when it expires (epoch millis), 0 for never
 */
public record StoredMessage(String topic, int qos, boolean retain, byte[] payload, byte[] properties,
                            long createdAtMillis, long expiresAtMillis) {

    private static final byte[] NONE = new byte[0];

    public StoredMessage {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? NONE : payload;
        properties = properties == null ? NONE : properties;
    }

    public boolean expired(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredMessage m && topic.equals(m.topic) && qos == m.qos && retain == m.retain
                && Arrays.equals(payload, m.payload) && Arrays.equals(properties, m.properties)
                && createdAtMillis == m.createdAtMillis && expiresAtMillis == m.expiresAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, qos, retain, Arrays.hashCode(payload), Arrays.hashCode(properties),
                createdAtMillis, expiresAtMillis);
    }

    @Override
    public String toString() {
        return "StoredMessage[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", payload="
                + payload.length + " bytes, properties=" + properties.length + " bytes, created="
                + createdAtMillis + ", expires=" + expiresAtMillis + "]";
    }
}
