package io.volantmq.broker.protocol;

/**
 * PUBACK, PUBREC, PUBREL or PUBCOMP: one shape, told apart by {@code type}. In 3.x the reason code
 * is not on the wire (it decodes as 0 and is not encoded).
 */
public record PubReply(PacketType type, int packetId, int reasonCode, Properties properties) implements MqttMessage {
    public PubReply {
        if (type != PacketType.PUBACK && type != PacketType.PUBREC && type != PacketType.PUBREL
                && type != PacketType.PUBCOMP) {
            throw new IllegalArgumentException("not a publish reply: " + type);
        }
        properties = properties == null ? Properties.EMPTY : properties;
    }

    public static PubReply of(PacketType type, int packetId) {
        return new PubReply(type, packetId, ReasonCode.SUCCESS, Properties.EMPTY);
    }
}
