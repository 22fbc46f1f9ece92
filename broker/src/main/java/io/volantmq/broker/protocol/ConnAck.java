package io.volantmq.broker.protocol;

/**
 * CONNACK. {@code reasonCode} is the MQTT 5 reason code; towards a 3.x client the encoder sends it
 * unchanged, so the sender picks the 3.x return code for 3.x clients ({@link ReasonCode#toV3ConnAck}).
 */
public record ConnAck(boolean sessionPresent, int reasonCode, Properties properties) implements MqttMessage {
    public ConnAck {
        properties = properties == null ? Properties.EMPTY : properties;
    }

    @Override
    public PacketType type() {
        return PacketType.CONNACK;
    }
}
