package io.volantmq.broker.protocol;

/** PINGREQ. */
public record PingReq() implements MqttMessage {
    public static final PingReq INSTANCE = new PingReq();

    @Override
    public PacketType type() {
        return PacketType.PINGREQ;
    }
}
