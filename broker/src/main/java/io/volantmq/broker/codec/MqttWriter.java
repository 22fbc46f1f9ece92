package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.List;

/**
 * Writes the MQTT data types (spec 1.5) and computes their encoded sizes. Sizes are computed before
 * writing, so the fixed header's remaining length is known up front and buffers are allocated once.
 * Values that cannot be encoded are programming errors: {@link IllegalArgumentException}.
 */
final class MqttWriter {
    static final int MAX_VAR_INT = 268_435_455;
    static final int MAX_TWO_BYTE = 0xFFFF;
    static final long MAX_FOUR_BYTE = 0xFFFF_FFFFL;

    private MqttWriter() {
    }

    static void writeTwoByteInt(ByteBuf out, int value) {
        checkRange(value, MAX_TWO_BYTE, "two-byte integer");
        out.writeShort(value);
    }

    static void writeFourByteInt(ByteBuf out, long value) {
        if (value < 0 || value > MAX_FOUR_BYTE) {
            throw new IllegalArgumentException("four-byte integer out of range: " + value);
        }
        out.writeInt((int) value);
    }

    static int varIntSize(int value) {
        checkRange(value, MAX_VAR_INT, "variable byte integer");
        if (value < 0x80) {
            return 1;
        }
        if (value < 0x4000) {
            return 2;
        }
        return value < 0x20_0000 ? 3 : 4;
    }

    static void writeVarInt(ByteBuf out, int value) {
        checkRange(value, MAX_VAR_INT, "variable byte integer");
        do {
            int digit = value & 0x7F;
            value >>>= 7;
            out.writeByte(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }

    /** Bytes of a UTF-8 Encoded String including its two-byte length. */
    static int utf8Size(String value) {
        int length = ByteBufUtil.utf8Bytes(value);
        checkRange(length, MAX_TWO_BYTE, "UTF-8 string length");
        return 2 + length;
    }

    /**
     * Writes a UTF-8 Encoded String. Reserves exactly its size, not Netty's worst case of three bytes a
     * char, so an exactly-sized buffer never grows. Unpaired surrogates cannot be encoded and go out as
     * '?', as {@link ByteBufUtil#writeUtf8} does.
     */
    static void writeUtf8(ByteBuf out, String value) {
        int length = ByteBufUtil.utf8Bytes(value);
        checkRange(length, MAX_TWO_BYTE, "UTF-8 string length");
        out.writeShort(length);
        ByteBufUtil.reserveAndWriteUtf8(out, value, length);
    }

    /** Bytes of Binary Data including its two-byte length. */
    static int binarySize(byte[] value) {
        checkRange(value.length, MAX_TWO_BYTE, "binary data length");
        return 2 + value.length;
    }

    static void writeBinary(ByteBuf out, byte[] value) {
        writeTwoByteInt(out, value.length);
        out.writeBytes(value);
    }

    static void checkRange(int value, int max, String what) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " out of range 0.." + max + ": " + value);
        }
    }

    /** Reason (3.x: return) codes are single bytes. */
    static void checkCodes(List<Integer> codes) {
        for (int code : codes) {
            checkRange(code, 0xFF, "reason code");
        }
    }

    /** A packet identifier must be 1..65535 [MQTT-2.3.1-1]. */
    static void checkPacketId(int packetId) {
        if (packetId < 1 || packetId > MAX_TWO_BYTE) {
            throw new IllegalArgumentException("packet identifier out of range 1..65535: " + packetId);
        }
    }
}
