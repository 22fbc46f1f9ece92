package io.volantmq.broker.protocol;

/** AUTH (MQTT 5 only). */
public record Auth(int reasonCode, Properties properties) implements MqttMessage {
    public Auth {
        properties = properties == null ? Properties.EMPTY : properties;
    }

    @Override
    public PacketType type() {
        return PacketType.AUTH;
    }
}
