package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;

import java.nio.charset.StandardCharsets;

/**
 * Reads the MQTT data types (spec 1.5) from one packet's body, bounds-checked: every read past the
 * end, and every ill-formed value, is a {@link MqttDecodeException} that names the packet and version.
 */
final class MqttReader {
    private final ByteBuf buf;
    private final PacketType packetType;
    private final ProtocolVersion version;

    MqttReader(ByteBuf buf, PacketType packetType, ProtocolVersion version) {
        this.buf = buf;
        this.packetType = packetType;
        this.version = version;
    }

    /** The same body, read on from here, for a version learned while reading (CONNECT). */
    MqttReader withVersion(ProtocolVersion knownVersion) {
        return new MqttReader(buf, packetType, knownVersion);
    }

    ProtocolVersion version() {
        return version;
    }

    PacketType packetType() {
        return packetType;
    }

    int remaining() {
        return buf.readableBytes();
    }

    boolean hasRemaining() {
        return buf.isReadable();
    }

    int readByte(String field) {
        need(1, field);
        return buf.readUnsignedByte();
    }

    int readTwoByteInt(String field) {
        need(2, field);
        return buf.readUnsignedShort();
    }

    long readFourByteInt(String field) {
        need(4, field);
        return buf.readUnsignedInt();
    }

    /** A packet identifier: a two-byte integer that must not be 0 [MQTT-2.3.1-1]. */
    int readPacketId() {
        int packetId = readTwoByteInt("packet identifier");
        if (packetId == 0) {
            throw malformed(packetType + " with packet identifier 0 [MQTT-2.3.1-1]");
        }
        return packetId;
    }

    /** A Variable Byte Integer of at most four bytes [MQTT-1.5.5-1]. */
    int readVarInt(String field) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int b = readByte(field);
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw malformed(field + " is a variable byte integer longer than 4 bytes [MQTT-1.5.5-1]");
    }

    /** A UTF-8 Encoded String, strictly validated [MQTT-1.5.4-1] [MQTT-1.5.4-2]. */
    String readUtf8(String field) {
        int length = readTwoByteInt(field + " length");
        need(length, field);
        if (length == 0) {
            return "";
        }
        byte[] bytes;
        int offset;
        if (buf.hasArray()) {
            bytes = buf.array();
            offset = buf.arrayOffset() + buf.readerIndex();
        } else {
            bytes = new byte[length];
            buf.getBytes(buf.readerIndex(), bytes);
            offset = 0;
        }
        int bad = Utf8Validator.firstInvalid(bytes, offset, length);
        if (bad != Utf8Validator.VALID) {
            throw malformed(bytes[bad] == 0
                    ? field + " contains U+0000 [MQTT-1.5.4-2]"
                    : field + " is not well-formed UTF-8 at byte " + (bad - offset) + " [MQTT-1.5.4-1]");
        }
        String value = new String(bytes, offset, length, StandardCharsets.UTF_8);
        buf.skipBytes(length);
        return value;
    }

    /** Binary Data: a two-byte length and that many bytes. */
    byte[] readBinary(String field) {
        int length = readTwoByteInt(field + " length");
        return readBytes(length, field);
    }

    byte[] readBytes(int length, String field) {
        need(length, field);
        byte[] bytes = new byte[length];
        buf.readBytes(bytes);
        return bytes;
    }

    /** Everything left (a PUBLISH payload, a list of reason codes). */
    byte[] readRest() {
        return readBytes(buf.readableBytes(), "payload");
    }

    /** A reader over the next {@code length} bytes, which this reader skips. */
    MqttReader slice(int length, String field) {
        need(length, field);
        return new MqttReader(buf.readSlice(length), packetType, version);
    }

    /** Every byte of the body must belong to a field. */
    void expectEnd() {
        if (buf.isReadable()) {
            throw malformed(packetType + " has " + buf.readableBytes()
                    + " bytes after its last field (remaining length, spec 2.1.4)");
        }
    }

    MqttDecodeException malformed(String message) {
        return fail(ReasonCode.MALFORMED_PACKET, message);
    }

    MqttDecodeException protocolError(String message) {
        return fail(ReasonCode.PROTOCOL_ERROR, message);
    }

    MqttDecodeException fail(int reasonCode, String message) {
        return new MqttDecodeException(reasonCode, packetType, version, message);
    }

    private void need(int length, String field) {
        if (buf.readableBytes() < length) {
            throw malformed(packetType + " truncated: " + field + " needs " + length + " bytes, "
                    + buf.readableBytes() + " left (remaining length, spec 2.1.4)");
        }
    }
}
