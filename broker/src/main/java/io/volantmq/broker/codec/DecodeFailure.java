package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;

/**
 * What {@link MqttDecoder} passes downstream, once, instead of a message when the input broke the
 * rules; the decoder then discards the rest of the channel's input. The session answers (CONNACK or
 * DISCONNECT with {@code reasonCode} in 5.0) and closes.
 *
 * @param packetType the packet that failed, or null when its type was unreadable
 * @param version    the protocol version known at the failure, or null (a CONNECT before its level)
 * @param reasonCode the MQTT 5 reason code, e.g. 0x81 Malformed Packet
 * @param reason     a human-readable reason citing the spec clause
 */
public record DecodeFailure(PacketType packetType, ProtocolVersion version, int reasonCode, String reason) {

    public static DecodeFailure of(MqttDecodeException e) {
        return new DecodeFailure(e.packetType(), e.version(), e.reasonCode(), e.getMessage());
    }
}
