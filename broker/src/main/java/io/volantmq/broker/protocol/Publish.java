package io.volantmq.broker.protocol;

import java.util.Objects;

/** PUBLISH. {@code packetId} is 0 for QoS 0. */
public record Publish(String topic, int qos, boolean retain, boolean dup, int packetId, byte[] payload,
                      Properties properties) implements MqttMessage {
    public Publish {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload;
        properties = properties == null ? Properties.EMPTY : properties;
    }

    @Override
    public PacketType type() {
        return PacketType.PUBLISH;
    }

    @Override
    public String toString() {
        return "Publish[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", dup=" + dup + ", packetId="
                + packetId + ", payload=" + payload.length + " bytes, properties=" + properties + "]";
    }
}
