package io.volantmq.broker.protocol;

/** DISCONNECT; 3.x has no reason code on the wire (decodes as 0, not encoded). */
public record Disconnect(int reasonCode, Properties properties) implements MqttMessage {
    public static final Disconnect NORMAL = new Disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.EMPTY);

    public Disconnect {
        properties = properties == null ? Properties.EMPTY : properties;
    }

    @Override
    public PacketType type() {
        return PacketType.DISCONNECT;
    }
}
