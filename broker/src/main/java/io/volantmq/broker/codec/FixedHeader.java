package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;

/**
 * The fixed header (spec 2.1 / 2.2): packet type, flags and remaining length, and how many bytes the
 * header itself took. Read without consuming, so a frame decoder can check the size before the body.
 */
record FixedHeader(PacketType type, int flags, int remainingLength, int headerLength) {
    static final int MAX_REMAINING_LENGTH = 268_435_455;
    /** Flags of PUBREL, SUBSCRIBE and UNSUBSCRIBE [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1]. */
    static final int QOS1_FLAGS = 0b0010;
    private static final int DUP_FLAG = 0b1000;

    /** The whole packet's size in bytes. */
    int packetSize() {
        return headerLength + remainingLength;
    }

    /**
     * The fixed header at {@code in}'s reader index, without moving it, or null while more bytes are
     * needed. The type and flags are checked as soon as the first byte is there.
     *
     * @param version the version the channel speaks (a CONNECT brings its own)
     */
    static FixedHeader peek(ByteBuf in, ProtocolVersion version) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (start >= end) {
            return null;
        }
        int first = in.getUnsignedByte(start);
        PacketType type = checkTypeAndFlags(first, version);
        int remainingLength = 0;
        for (int i = 0; i < 4; i++) {
            if (start + 1 + i >= end) {
                return null;
            }
            int b = in.getUnsignedByte(start + 1 + i);
            remainingLength |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                // a non-minimal encoding breaks a sender's MUST [MQTT-1.5.5-1]; tolerated on receipt
                return new FixedHeader(type, first & 0x0F, remainingLength, 2 + i);
            }
        }
        throw new MqttDecodeException(ReasonCode.MALFORMED_PACKET, type, versionFor(type, version),
                "remaining length longer than 4 bytes [MQTT-1.5.5-1]");
    }

    /** The packet type of a first byte, after checking its reserved values and flags. */
    static PacketType checkTypeAndFlags(int firstByte, ProtocolVersion version) {
        int value = firstByte >>> 4;
        int flags = firstByte & 0x0F;
        PacketType type = PacketType.of(value);
        if (type == null) {
            throw new MqttDecodeException(ReasonCode.MALFORMED_PACKET, null, version,
                    "reserved packet type 0 (spec 2.1.2)");
        }
        if (type == PacketType.AUTH && !version.isV5()) {
            throw new MqttDecodeException(ReasonCode.MALFORMED_PACKET, null, version,
                    "reserved packet type 15 in MQTT " + version.level() + " (spec 2.2.1)");
        }
        if (type != PacketType.PUBLISH && flags != requiredFlags(type) && !isV31Retry(type, flags, version)) {
            throw new MqttDecodeException(ReasonCode.MALFORMED_PACKET, type, versionFor(type, version),
                    type + " with fixed header flags 0x" + Integer.toHexString(flags) + " instead of 0x"
                            + Integer.toHexString(requiredFlags(type)) + " [MQTT-2.2.2-1] [MQTT-2.2.2-2]");
        }
        return type;
    }

    /** The fixed header flags every packet type but PUBLISH must carry. */
    static int requiredFlags(PacketType type) {
        return switch (type) {
            case PUBREL, SUBSCRIBE, UNSUBSCRIBE -> QOS1_FLAGS;
            default -> 0;
        };
    }

    /** MQTT 3.1 lets a resent PUBREL, SUBSCRIBE or UNSUBSCRIBE set DUP (3.1 spec, fixed header). */
    private static boolean isV31Retry(PacketType type, int flags, ProtocolVersion version) {
        return version == ProtocolVersion.MQTT_3_1 && requiredFlags(type) == QOS1_FLAGS
                && flags == (QOS1_FLAGS | DUP_FLAG);
    }

    /** A CONNECT's version is its own, unknown until its protocol level is read. */
    static ProtocolVersion versionFor(PacketType type, ProtocolVersion channelVersion) {
        return type == PacketType.CONNECT ? null : channelVersion;
    }
}
