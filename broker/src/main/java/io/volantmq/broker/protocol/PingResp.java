package io.volantmq.broker.protocol;

/** PINGRESP. */
public record PingResp() implements MqttMessage {
    public static final PingResp INSTANCE = new PingResp();

    @Override
    public PacketType type() {
        return PacketType.PINGRESP;
    }
}
