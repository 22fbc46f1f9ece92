package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.UnsubAck;
import io.volantmq.broker.protocol.Unsubscribe;
import io.volantmq.broker.protocol.Will;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our codec against Netty's (test scope only): what ours encodes Netty decodes to the same fields, and
 * what Netty encodes ours decodes to the same fields, for every packet type in 3.1.1 and 5.0.
 */
class NettyCrossCheckTest {
    /** The attribute Netty's codec keeps the channel's version in (MqttCodecUtil.MQTT_VERSION_KEY). */
    private static final AttributeKey<MqttVersion> NETTY_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    static Stream<Arguments> packets() {
        return Stream.concat(v311Packets().map(m -> Arguments.of(MQTT_3_1_1, m)),
                v5Packets().map(m -> Arguments.of(MQTT_5, m)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("packets")
    void oursEncodedNettyDecodes(ProtocolVersion version, MqttMessage message) {
        EmbeddedChannel netty = new EmbeddedChannel(new io.netty.handler.codec.mqtt.MqttDecoder(1 << 20));
        netty.attr(NETTY_VERSION).set(nettyVersion(version));
        netty.writeInbound(Unpooled.wrappedBuffer(Wire.encode(message, version)));
        io.netty.handler.codec.mqtt.MqttMessage decoded = netty.readInbound();
        try {
            assertThat(decoded.decoderResult().isSuccess()).as("Netty: %s", decoded.decoderResult()).isTrue();
            Wire.assertSameMessage(NettyMessages.fromNetty(decoded), NettyMessages.sorted(message));
        } finally {
            ReferenceCountUtil.release(decoded);
        }
        assertThat(netty.finish()).isFalse();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("packets")
    void nettyEncodedOursDecodes(ProtocolVersion version, MqttMessage message) {
        EmbeddedChannel netty = new EmbeddedChannel(io.netty.handler.codec.mqtt.MqttEncoder.INSTANCE);
        netty.attr(NETTY_VERSION).set(nettyVersion(version));
        netty.writeOutbound(NettyMessages.toNetty(message, version));
        byte[] encoded = drainOutbound(netty);
        MqttMessage decoded = Wire.decode(encoded, version);
        Wire.assertSameMessage(NettyMessages.sorted(decoded), NettyMessages.sorted(message));
        assertThat(netty.finish()).isFalse();
    }

    private static Stream<MqttMessage> v311Packets() {
        Will will = new Will("will/topic", bytes('b', 'y', 'e'), 1, true, null);
        return Stream.of(
                new Connect(MQTT_3_1_1, "client-1", true, 60, "user", bytes('p', 'w'), will, null),
                new Connect(MQTT_3_1_1, "client-2", false, 0, null, null, null, null),
                new ConnAck(true, ReasonCode.V3_ACCEPTED, null),
                new ConnAck(false, ReasonCode.V3_NOT_AUTHORIZED, null),
                new Publish("a/b", 0, false, false, 0, bytes(1, 2, 3), null),
                new Publish("a/b", 1, true, true, 10, new byte[0], null),
                new Publish("ä/€", 2, false, false, 65535, new byte[5000], null),
                PubReply.of(PacketType.PUBACK, 1),
                PubReply.of(PacketType.PUBREC, 2),
                PubReply.of(PacketType.PUBREL, 3),
                PubReply.of(PacketType.PUBCOMP, 4),
                new Subscribe(5, List.of(Subscription.of("a/+", 0), Subscription.of("b/#", 2)), null),
                new SubAck(5, List.of(0, 2, 0x80), null),
                new Unsubscribe(6, List.of("a/+", "b/#"), null),
                new UnsubAck(6, List.of(), null),
                PingReq.INSTANCE,
                PingResp.INSTANCE,
                Disconnect.NORMAL);
    }

    private static Stream<MqttMessage> v5Packets() {
        Properties willProperties = Properties.builder()
                .add(PropertyId.WILL_DELAY_INTERVAL, 10L)
                .add(PropertyId.CONTENT_TYPE, "text/plain")
                .add(PropertyId.USER_PROPERTY, new StringPair("w", "1")).build();
        Properties connectProperties = Properties.builder()
                .add(PropertyId.SESSION_EXPIRY_INTERVAL, 3600L)
                .add(PropertyId.RECEIVE_MAXIMUM, 100)
                .add(PropertyId.MAXIMUM_PACKET_SIZE, 65536L)
                .add(PropertyId.USER_PROPERTY, new StringPair("a", "1"))
                .add(PropertyId.USER_PROPERTY, new StringPair("a", "2")).build();
        Properties connAckProperties = Properties.builder()
                .add(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, "auto-1")
                .add(PropertyId.TOPIC_ALIAS_MAXIMUM, 10)
                .add(PropertyId.MAXIMUM_QOS, 1)
                .add(PropertyId.RETAIN_AVAILABLE, 0).build();
        Properties publishProperties = Properties.builder()
                .add(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1)
                .add(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60L)
                .add(PropertyId.RESPONSE_TOPIC, "reply")
                .add(PropertyId.CORRELATION_DATA, bytes(1, 2))
                .add(PropertyId.TOPIC_ALIAS, 3).build();
        Properties reason = Properties.builder().add(PropertyId.REASON_STRING, "why").build();
        Will will = new Will("will/topic", bytes('b', 'y', 'e'), 2, false, willProperties);
        return Stream.of(
                new Connect(MQTT_5, "client-5", true, 30, "user", bytes('p', 'w'), will, connectProperties),
                new ConnAck(false, ReasonCode.SUCCESS, connAckProperties),
                new ConnAck(false, ReasonCode.BAD_USER_NAME_OR_PASSWORD, reason),
                new Publish("a/b", 0, false, false, 0, bytes(1, 2, 3), publishProperties),
                new Publish("a/b", 1, true, false, 10, bytes('x'), Properties.builder()
                        .add(PropertyId.SUBSCRIPTION_IDENTIFIER, 7).build()),
                PubReply.of(PacketType.PUBACK, 1),
                new PubReply(PacketType.PUBREC, 2, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY),
                new PubReply(PacketType.PUBREL, 3, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, reason),
                new PubReply(PacketType.PUBCOMP, 4, ReasonCode.SUCCESS, reason),
                new Subscribe(5, List.of(new Subscription("a/+", 1, true, true, 2), Subscription.of("b", 0)),
                        Properties.builder().add(PropertyId.SUBSCRIPTION_IDENTIFIER, 42).build()),
                new SubAck(5, List.of(1, 0x8F), reason),
                new Unsubscribe(6, List.of("a/+"), Properties.builder()
                        .add(PropertyId.USER_PROPERTY, new StringPair("k", "v")).build()),
                new UnsubAck(6, List.of(0x00, 0x11), null),
                PingReq.INSTANCE,
                PingResp.INSTANCE,
                Disconnect.NORMAL,
                new Disconnect(ReasonCode.SERVER_SHUTTING_DOWN, Properties.builder()
                        .add(PropertyId.SERVER_REFERENCE, "other").build()),
                new Auth(ReasonCode.CONTINUE_AUTHENTICATION, Properties.builder()
                        .add(PropertyId.AUTHENTICATION_METHOD, "SCRAM")
                        .add(PropertyId.AUTHENTICATION_DATA, bytes(9)).build()));
    }

    private static MqttVersion nettyVersion(ProtocolVersion version) {
        return version.isV5() ? MqttVersion.MQTT_5 : MqttVersion.MQTT_3_1_1;
    }

    private static byte[] drainOutbound(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        try {
            for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
                all.writeBytes(part);
                part.release();
            }
            return ByteBufUtil.getBytes(all);
        } finally {
            all.release();
        }
    }
}
