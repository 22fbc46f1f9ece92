package io.volantmq.broker.codec;

import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;

/**
 * A packet that breaks the MQTT wire rules. {@link #reasonCode()} is the MQTT 5 reason code the session
 * answers with (CONNACK or DISCONNECT in 5.0; a plain close, or a 3.x CONNACK return code, in 3.x).
 * No stack trace: it is thrown for bad input, not for bugs, and a peer can provoke it at will.
 */
public final class MqttDecodeException extends RuntimeException {
    private final int reasonCode;
    private final PacketType packetType;
    private final ProtocolVersion version;

    /**
     * @param packetType the packet being decoded, or null when the type itself was bad
     * @param version    the protocol version known when decoding failed, or null (a CONNECT before its
     *                   protocol level was read)
     */
    public MqttDecodeException(int reasonCode, PacketType packetType, ProtocolVersion version, String message) {
        super(message, null, false, false);
        this.reasonCode = reasonCode;
        this.packetType = packetType;
        this.version = version;
    }

    /** The MQTT 5 reason code, e.g. {@code ReasonCode.MALFORMED_PACKET}. */
    public int reasonCode() {
        return reasonCode;
    }

    /** The packet type that failed, or null. */
    public PacketType packetType() {
        return packetType;
    }

    /** The protocol version known when decoding failed, or null. */
    public ProtocolVersion version() {
        return version;
    }
}
