package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.ProtocolVersion;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Test helpers over {@link MqttCodec}: packets as byte literals, decoded from both a heap and a direct
 * buffer (the two UTF-8 paths), and encoded with the exact size {@link MqttCodec#encodedSize} predicts.
 */
final class Wire {
    private Wire() {
    }

    /** Bytes from ints, so literals read 0x80 without casts and 'M' as a character. */
    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    static byte[] concat(byte[]... parts) {
        ByteBuf joined = Unpooled.wrappedBuffer(parts);
        try {
            return ByteBufUtil.getBytes(joined);
        } finally {
            joined.release();
        }
    }

    /** Decodes one whole packet; heap and direct buffers must give the same result. */
    static MqttMessage decode(byte[] packet, ProtocolVersion version) {
        MqttMessage fromHeap = decodeHeap(packet, version);
        MqttMessage fromDirect = decodeDirect(packet, version);
        assertSameMessage(fromDirect, fromHeap);
        return fromHeap;
    }

    static <T extends MqttMessage> T decode(byte[] packet, ProtocolVersion version, Class<T> type) {
        return type.cast(decode(packet, version));
    }

    /** Decoding must fail, the same way from heap and direct buffers. */
    static MqttDecodeException decodeFailure(byte[] packet, ProtocolVersion version) {
        MqttDecodeException heap = catchThrowableOfType(MqttDecodeException.class, () -> decodeHeap(packet, version));
        MqttDecodeException direct = catchThrowableOfType(MqttDecodeException.class,
                () -> decodeDirect(packet, version));
        assertThat(heap).as("decoding must fail").isNotNull();
        assertThat(direct).as("decoding a direct buffer must fail").isNotNull();
        assertThat(direct.reasonCode()).isEqualTo(heap.reasonCode());
        return heap;
    }

    /** Asserts the failure's reason code and that its message cites {@code clause}. */
    static MqttDecodeException assertFails(byte[] packet, ProtocolVersion version, int reasonCode, String clause) {
        MqttDecodeException e = decodeFailure(packet, version);
        assertThat(e.reasonCode()).as("reason code of: %s", e.getMessage()).isEqualTo(reasonCode);
        assertThat(e.getMessage()).contains(clause);
        return e;
    }

    static byte[] encode(MqttMessage message, ProtocolVersion version) {
        ByteBuf buf = MqttCodec.encode(message, version, UnpooledByteBufAllocator.DEFAULT);
        try {
            int size = MqttCodec.encodedSize(message, version);
            assertThat(buf.readableBytes()).as("encodedSize").isEqualTo(size);
            assertThat(buf.capacity()).as("written without growing the exactly-sized buffer").isEqualTo(size);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** The literal decodes to {@code expected}, and {@code expected} encodes to the literal. */
    static void assertWire(byte[] packet, ProtocolVersion version, MqttMessage expected) {
        assertSameMessage(decode(packet, version), expected);
        assertThat(encode(expected, version)).isEqualTo(packet);
    }

    /** encode, decode, equal; and the decoded message encodes to the same bytes. */
    static void assertRoundTrip(MqttMessage message, ProtocolVersion version) {
        byte[] encoded = encode(message, version);
        MqttMessage decoded = decode(encoded, version);
        assertSameMessage(decoded, message);
        assertThat(encode(decoded, version)).isEqualTo(encoded);
    }

    /** Field by field; byte arrays (payloads, passwords, binary properties) by content. */
    static void assertSameMessage(Object actual, Object expected) {
        assertThat(actual).usingRecursiveComparison()
                .withComparatorForType(Arrays::compare, byte[].class)
                .isEqualTo(expected);
    }

    static void assertEncodingRefused(MqttMessage message, ProtocolVersion version) {
        assertThatThrownBy(() -> MqttCodec.encode(message, version, UnpooledByteBufAllocator.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static MqttMessage decodeHeap(byte[] packet, ProtocolVersion version) {
        ByteBuf buf = Unpooled.wrappedBuffer(packet);
        MqttMessage message = MqttCodec.decode(buf, version);
        assertThat(buf.isReadable()).isFalse();
        return message;
    }

    private static MqttMessage decodeDirect(byte[] packet, ProtocolVersion version) {
        ByteBuf buf = Unpooled.directBuffer(packet.length).writeBytes(packet);
        try {
            return MqttCodec.decode(buf, version);
        } finally {
            buf.release();
        }
    }
}
