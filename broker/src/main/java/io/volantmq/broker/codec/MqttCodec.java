package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;

import java.util.Objects;

/**
 * The codec's entry points outside a Netty pipeline, and the channel attribute the pipeline's
 * {@link MqttDecoder} and {@link MqttEncoder} share.
 */
public final class MqttCodec {
    /**
     * The protocol version a channel speaks. {@link MqttDecoder} sets it as soon as it has read a
     * CONNECT's protocol level (so a CONNECT that then fails is answered in its version);
     * {@link MqttEncoder} sets it when it writes a CONNECT (the client side). Unset means MQTT 3.1.1.
     */
    public static final AttributeKey<ProtocolVersion> PROTOCOL_VERSION =
            AttributeKey.valueOf(MqttCodec.class, "protocolVersion");

    /** The largest packet MQTT can frame: one type byte, four length bytes, 268,435,455 body bytes. */
    public static final int MAX_PACKET_SIZE = 1 + 4 + FixedHeader.MAX_REMAINING_LENGTH;

    private MqttCodec() {
    }

    /** The version a channel speaks: its {@link #PROTOCOL_VERSION}, or MQTT 3.1.1 while unset. */
    public static ProtocolVersion version(Channel channel) {
        ProtocolVersion version = channel.attr(PROTOCOL_VERSION).get();
        return version != null ? version : ProtocolVersion.MQTT_3_1_1;
    }

    /**
     * Decodes exactly one complete packet, fixed header included, reading {@code wholePacket} to its
     * end. The caller keeps ownership of the buffer; the result holds no reference to it.
     *
     * @param version the version the connection speaks; a CONNECT carries its own
     * @throws MqttDecodeException when the packet breaks the rules, or the buffer holds more or less
     *                             than one packet
     */
    public static MqttMessage decode(ByteBuf wholePacket, ProtocolVersion version) {
        Objects.requireNonNull(version, "version");
        FixedHeader header = FixedHeader.peek(wholePacket, version);
        if (header == null || wholePacket.readableBytes() < header.packetSize()) {
            throw new MqttDecodeException(ReasonCode.MALFORMED_PACKET,
                    header == null ? null : header.type(),
                    header == null ? version : FixedHeader.versionFor(header.type(), version),
                    "packet shorter than its fixed header says");
        }
        if (wholePacket.readableBytes() > header.packetSize()) {
            throw new MqttDecodeException(ReasonCode.MALFORMED_PACKET, header.type(),
                    FixedHeader.versionFor(header.type(), version),
                    (wholePacket.readableBytes() - header.packetSize()) + " bytes after the packet");
        }
        wholePacket.skipBytes(header.headerLength());
        return PacketDecoders.decode(header, wholePacket.readSlice(header.remainingLength()), version);
    }

    /**
     * Encodes a message into a new buffer of exactly its size; the caller owns (and releases) it.
     * A CONNECT is encoded in its own {@code version()}.
     *
     * @throws IllegalArgumentException when the message cannot be sent in this version (AUTH before
     *                                  5.0) or holds values the wire cannot carry
     */
    public static ByteBuf encode(MqttMessage message, ProtocolVersion version, ByteBufAllocator allocator) {
        ByteBuf out = allocator.buffer(encodedSize(message, version));
        try {
            encode(message, version, out);
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** Encodes a message onto the end of {@code out}. */
    public static void encode(MqttMessage message, ProtocolVersion version, ByteBuf out) {
        Objects.requireNonNull(version, "version");
        PacketEncoders.write(message, version, out);
    }

    /**
     * The whole packet's size in bytes as {@link #encode} would write it, to honour a peer's Maximum
     * Packet Size (spec 3.1.2.11.4) before sending.
     */
    public static int encodedSize(MqttMessage message, ProtocolVersion version) {
        Objects.requireNonNull(version, "version");
        return PacketEncoders.encodedSize(message, version);
    }

    /**
     * The message properties of a PUBLISH as a standalone blob (the property section as on the wire,
     * length prefix included), for storing a message; read back with {@link #decodeProperties}.
     *
     * @throws IllegalArgumentException for a property a PUBLISH cannot carry
     */
    public static byte[] encodeProperties(Properties properties) {
        byte[] section = new byte[PropertiesEncoder.sectionSize(properties, PacketType.PUBLISH)];
        PropertiesEncoder.write(Unpooled.wrappedBuffer(section).clear(), properties);
        return section;
    }

    /**
     * The properties of a blob written by {@link #encodeProperties}, validated as PUBLISH properties.
     *
     * @throws MqttDecodeException when the blob is not a well-formed PUBLISH property section
     */
    public static Properties decodeProperties(byte[] section) {
        MqttReader reader = new MqttReader(Unpooled.wrappedBuffer(section), PacketType.PUBLISH, ProtocolVersion.MQTT_5);
        Properties properties = PropertiesDecoder.read(reader);
        reader.expectEnd();
        return properties;
    }

    /**
     * True when {@code bytes} are well-formed UTF-8 without U+0000 (the rule for MQTT strings, and
     * for payloads whose Payload Format Indicator says UTF-8 [MQTT-3.3.2-4]).
     */
    public static boolean isWellFormedUtf8(byte[] bytes) {
        return Utf8Validator.firstInvalid(bytes, 0, bytes.length) < 0;
    }
}
