package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.codec.Wire.concat;
import static io.volantmq.broker.codec.Wire.encode;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static io.volantmq.broker.protocol.ReasonCode.MALFORMED_PACKET;
import static io.volantmq.broker.protocol.ReasonCode.PACKET_TOO_LARGE;
import static io.volantmq.broker.protocol.ReasonCode.UNSUPPORTED_PROTOCOL_VERSION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The frame decoder in a pipeline: framing, the size limit, the channel's version, failure handling. */
class MqttDecoderTest {
    private static final byte[] CONNECT_5 = encode(new Connect(MQTT_5, "c", true, 60, null, null, null, null), MQTT_5);
    private static final byte[] PINGREQ = bytes(0xC0, 0x00);

    /** Every buffer handed to a channel; each must be released by the end of its test. */
    private final List<ByteBuf> written = new ArrayList<>();

    @AfterEach
    void everyInputBufferWasReleased() {
        for (ByteBuf buf : written) {
            assertThat(buf.refCnt()).as("input buffer released").isZero();
        }
    }

    @Test
    void packetSplitByteByByte() {
        EmbeddedChannel channel = channel(1024);
        byte[] publish = encode(new Publish("a/b", 1, false, false, 3, bytes(1, 2, 3), null), MQTT_5);
        byte[] stream = concat(CONNECT_5, publish);
        for (int i = 0; i < stream.length; i++) {
            write(channel, bytes(stream[i]));
            boolean packetEnds = i == CONNECT_5.length - 1 || i == stream.length - 1;
            assertThat(channel.inboundMessages()).as("after byte %d", i).hasSize(packetEnds ? 1 : 0);
            if (packetEnds) {
                Class<?> expected = i == stream.length - 1 ? Publish.class : Connect.class;
                assertThat((Object) channel.readInbound()).isInstanceOf(expected);
            }
        }
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void severalPacketsInOneBuffer() {
        EmbeddedChannel channel = channel(1024);
        write(channel, concat(CONNECT_5, PINGREQ, bytes(0x40, 0x03, 0x00, 0x01, 0x10)));
        assertThat((Object) channel.readInbound()).isInstanceOf(Connect.class);
        assertThat((Object) channel.readInbound()).isEqualTo(PingReq.INSTANCE);
        assertThat((Object) channel.readInbound())
                .isEqualTo(new PubReply(PacketType.PUBACK, 1, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void largePacketInRandomChunks() {
        EmbeddedChannel channel = channel(1 << 20);
        byte[] payload = new byte[300_000];
        new Random(7).nextBytes(payload);
        byte[] stream = concat(encode(new Publish("big", 0, false, false, 0, payload, null), MQTT_3_1_1), PINGREQ);
        Random random = new Random(11);
        for (int from = 0; from < stream.length; ) {
            int to = Math.min(stream.length, from + 1 + random.nextInt(9000));
            byte[] chunk = new byte[to - from];
            System.arraycopy(stream, from, chunk, 0, chunk.length);
            write(channel, chunk);
            from = to;
        }
        assertThat(((Publish) channel.readInbound()).payload()).isEqualTo(payload);
        assertThat((Object) channel.readInbound()).isEqualTo(PingReq.INSTANCE);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void oversizePacketIsRefusedBeforeItsBodyArrives() {
        EmbeddedChannel channel = channel(1024);
        write(channel, bytes(
                0x30,                           // PUBLISH, QoS 0
                0x80, 0x80, 0x40));             // remaining length 1,048,576: 1 MB announced
        DecodeFailure failure = channel.readInbound();
        assertThat(failure.reasonCode()).isEqualTo(PACKET_TOO_LARGE);
        assertThat(failure.packetType()).isEqualTo(PacketType.PUBLISH);
        assertThat(failure.reason()).contains("1048580 bytes exceeds the maximum packet size 1024");
        write(channel, new byte[4096]);         // the body that follows is skipped
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void packetOfExactlyTheMaximumSizeIsAccepted() {
        byte[] publish = encode(new Publish("t", 0, false, false, 0, new byte[100], null), MQTT_3_1_1);
        EmbeddedChannel exact = channel(publish.length);
        write(exact, publish);
        assertThat((Object) exact.readInbound()).isInstanceOf(Publish.class);
        assertThat(exact.finish()).isFalse();

        EmbeddedChannel oneLess = channel(publish.length - 1);
        write(oneLess, publish);
        assertThat(((DecodeFailure) oneLess.readInbound()).reasonCode()).isEqualTo(PACKET_TOO_LARGE);
        assertThat(oneLess.finish()).isFalse();
    }

    @Test
    void maximumPacketSizeCanChangeBetweenPackets() {
        MqttDecoder decoder = new MqttDecoder(1024);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        write(channel, CONNECT_5);
        assertThat((Object) channel.readInbound()).isInstanceOf(Connect.class);
        decoder.setMaxPacketSize(10);
        assertThat(decoder.maxPacketSize()).isEqualTo(10);
        write(channel, encode(new Publish("topic", 0, false, false, 0, new byte[20], null), MQTT_5));
        assertThat(((DecodeFailure) channel.readInbound()).reasonCode()).isEqualTo(PACKET_TOO_LARGE);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void remainingLengthOfFiveBytesFailsAfterTheFourth_MQTT_1_5_5_1() {
        EmbeddedChannel channel = channel(1024);
        write(channel, bytes(0x30, 0xFF, 0xFF, 0xFF, 0xFF)); // the fourth length byte still says "more"
        DecodeFailure failure = channel.readInbound();
        assertThat(failure.reasonCode()).isEqualTo(MALFORMED_PACKET);
        assertThat(failure.reason()).contains("[MQTT-1.5.5-1]");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void afterAFailureEverythingIsDiscarded() {
        EmbeddedChannel channel = channel(1024);
        write(channel, concat(CONNECT_5, bytes(0x00, 0x00), PINGREQ)); // reserved type 0, then a good PINGREQ
        write(channel, PINGREQ);
        assertThat((Object) channel.readInbound()).isInstanceOf(Connect.class);
        DecodeFailure failure = channel.readInbound();
        assertThat(failure.reasonCode()).isEqualTo(MALFORMED_PACKET);
        assertThat(failure.packetType()).isNull();
        assertThat(failure.version()).isEqualTo(MQTT_5);
        assertThat(channel.inboundMessages()).as("one failure, nothing after it").isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void connectSetsTheChannelVersionForLaterPackets() {
        EmbeddedChannel channel = channel(1024);
        assertThat(channel.attr(MqttCodec.PROTOCOL_VERSION).get()).isNull();
        write(channel, CONNECT_5);
        assertThat(channel.attr(MqttCodec.PROTOCOL_VERSION).get()).isEqualTo(MQTT_5);
        write(channel, bytes(0x40, 0x03, 0x00, 0x01, 0x10)); // PUBACK with a 5.0 reason code
        channel.readInbound();
        assertThat(((PubReply) channel.readInbound()).reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void beforeAConnectPacketsAreReadAs311() {
        EmbeddedChannel channel = channel(1024);
        write(channel, bytes(0x40, 0x03, 0x00, 0x01, 0x10)); // a 5.0 PUBACK is malformed in 3.1.1
        DecodeFailure failure = channel.readInbound();
        assertThat(failure.version()).isEqualTo(MQTT_3_1_1);
        assertThat(failure.packetType()).isEqualTo(PacketType.PUBACK);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void connectThatFailsAfterItsLevelStillSetsTheVersion() {
        EmbeddedChannel channel = channel(1024);
        write(channel, bytes(
                0x10, 14,                       // CONNECT, remaining length 14
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name
                0x05,                           // protocol level 5
                0x03,                           // connect flags: reserved bit set [MQTT-3.1.2-3]
                0x00, 0x3C, 0x00, 0x00, 0x01, 'c'));
        DecodeFailure failure = channel.readInbound();
        assertThat(failure).isEqualTo(new DecodeFailure(PacketType.CONNECT, MQTT_5, MALFORMED_PACKET,
                "CONNECT with the reserved connect flag set [MQTT-3.1.2-3]"));
        assertThat(channel.attr(MqttCodec.PROTOCOL_VERSION).get()).isEqualTo(MQTT_5);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unsupportedLevelLeavesTheVersionUnset() {
        EmbeddedChannel channel = channel(1024);
        write(channel, bytes(0x10, 13, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x07, 0x02, 0x00, 0x3C, 0x00, 0x01, 'c'));
        DecodeFailure failure = channel.readInbound();
        assertThat(failure.reasonCode()).isEqualTo(UNSUPPORTED_PROTOCOL_VERSION);
        assertThat(failure.packetType()).isEqualTo(PacketType.CONNECT);
        assertThat(failure.version()).isNull();
        assertThat(channel.attr(MqttCodec.PROTOCOL_VERSION).get()).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void oversizeConnectCarriesItsLevelWhenItsFirstBytesAreThere() {
        EmbeddedChannel channel = channel(CONNECT_5.length - 1);
        write(channel, CONNECT_5);
        DecodeFailure failure = channel.readInbound();
        assertThat(failure.packetType()).isEqualTo(PacketType.CONNECT);
        assertThat(failure.version()).as("an MQTT 5 client can be answered 0x95").isEqualTo(MQTT_5);
        assertThat(failure.reasonCode()).isEqualTo(PACKET_TOO_LARGE);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void oversizeConnectHasNoVersionBeforeItsLevelArrives() {
        EmbeddedChannel channel = channel(1024);
        write(channel, bytes(0x10, 0x80, 0x80, 0x40, 0x00, 0x04, 'M')); // 1 MiB announced, level not yet here
        DecodeFailure failure = channel.readInbound();
        assertThat(failure.packetType()).isEqualTo(PacketType.CONNECT);
        assertThat(failure.version()).isNull();
        assertThat(failure.reasonCode()).isEqualTo(PACKET_TOO_LARGE);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aSecondConnectDoesNotChangeTheVersion() {
        EmbeddedChannel channel = channel(1024);
        write(channel, CONNECT_5);
        write(channel, encode(new Connect(MQTT_3_1_1, "c", true, 60, null, null, null, null), MQTT_3_1_1));
        write(channel, bytes(0x40, 0x03, 0x00, 0x01, 0x10)); // still read as 5.0
        assertThat(((Connect) channel.readInbound()).version()).isEqualTo(MQTT_5);
        assertThat(((Connect) channel.readInbound()).version()).isEqualTo(MQTT_3_1_1);
        assertThat((Object) channel.readInbound()).isInstanceOf(PubReply.class);
        assertThat(channel.attr(MqttCodec.PROTOCOL_VERSION).get()).isEqualTo(MQTT_5);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void versionSetOnTheChannelBeforehandIsUsed() {
        EmbeddedChannel channel = channel(1024);
        channel.attr(MqttCodec.PROTOCOL_VERSION).set(MQTT_5); // a client's encoder sent a 5.0 CONNECT
        ConnAck connAck = new ConnAck(false, 0, Properties.builder().add(PropertyId.RECEIVE_MAXIMUM, 5).build());
        write(channel, encode(connAck, MQTT_5));
        Wire.assertSameMessage(channel.readInbound(), connAck);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void incompletePacketAtCloseIsReleased() {
        EmbeddedChannel channel = channel(1024);
        write(channel, bytes(0x30, 0x05, 0x00, 0x01)); // 2 of 5 body bytes
        assertThat(channel.inboundMessages()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aBrokersDecoderHoldsWhatFollowsTheConnectUntilItIsAccepted_MQTT_3_1_4() {
        MqttDecoder decoder = MqttDecoder.forBroker(4096);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        byte[] publish = encode(new Publish("a/b", 1, false, false, 3, bytes(1, 2, 3), null), MQTT_5);
        write(channel, concat(CONNECT_5, publish, PINGREQ, bytes(0xC0))); // the last PINGREQ is split
        assertThat((Object) channel.readInbound()).isInstanceOf(Connect.class);
        assertThat(channel.inboundMessages()).as("held while the CONNECT is authenticated").isEmpty();

        decoder.connectAccepted(1 << 20);
        assertThat((Object) channel.readInbound()).isInstanceOf(Publish.class);
        assertThat((Object) channel.readInbound()).isInstanceOf(PingReq.class);
        assertThat(channel.inboundMessages()).isEmpty();
        write(channel, bytes(0x00)); // the rest of the split PINGREQ
        assertThat((Object) channel.readInbound()).isInstanceOf(PingReq.class);
        write(channel, encode(new Publish("big", 0, false, false, 0, new byte[10_000], null), MQTT_5));
        assertThat((Object) channel.readInbound()).as("the listener's limit applies now").isInstanceOf(Publish.class);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void anAuthBehindTheConnectIsDecodedAtOnceAndWhatFollowsItHeld() {
        MqttDecoder decoder = MqttDecoder.forBroker(4096);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        byte[] auth = encode(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, null), MQTT_5);
        write(channel, concat(CONNECT_5, auth, PINGREQ));
        assertThat((Object) channel.readInbound()).isInstanceOf(Connect.class);
        assertThat((Object) channel.readInbound()).isInstanceOf(Auth.class);
        assertThat(channel.inboundMessages()).isEmpty();
        decoder.connectAccepted(4096);
        assertThat((Object) channel.readInbound()).isInstanceOf(PingReq.class);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void whatFollowsARefusedConnectIsNeverDecoded_MQTT_3_1_4_5() {
        EmbeddedChannel channel = new EmbeddedChannel(MqttDecoder.forBroker(4096));
        write(channel, concat(CONNECT_5, PINGREQ, PINGREQ));
        assertThat((Object) channel.readInbound()).isInstanceOf(Connect.class);
        assertThat(channel.finish()).as("the held bytes are released unread at close").isFalse();
    }

    @Test
    void aBurstOfAThousandPacketsBehindTheConnectIsBoundedByThePreConnectLimit() {
        EmbeddedChannel channel = new EmbeddedChannel(MqttDecoder.forBroker(64 * 1024));
        byte[] publish = encode(new Publish("burst", 1, false, false, 1, new byte[100], null), MQTT_5);
        byte[][] burst = new byte[1001][];
        burst[0] = CONNECT_5;
        for (int i = 1; i <= 1000; i++) {
            burst[i] = publish;
        }
        write(channel, concat(burst)); // about 110 KB: over the 64 KiB that may wait behind a CONNECT
        assertThat((Object) channel.readInbound()).isInstanceOf(Connect.class);
        DecodeFailure failure = channel.readInbound();
        assertThat(failure.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(failure.reason()).contains("more than 65536 bytes sent behind the CONNECT before its CONNACK");
        assertThat(channel.config().isAutoRead()).as("nothing more is read").isFalse();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aBrokersDecoderAppliesThePreConnectLimitToTheFirstPacket() {
        EmbeddedChannel channel = new EmbeddedChannel(MqttDecoder.forBroker(CONNECT_5.length - 1));
        write(channel, CONNECT_5);
        DecodeFailure failure = channel.readInbound();
        assertThat(failure.reasonCode()).isEqualTo(PACKET_TOO_LARGE);
        assertThat(failure.reason()).contains("pre-CONNECT maximum packet size");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void tooSmallMaximumIsRefused() {
        assertThatThrownBy(() -> new MqttDecoder(1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static EmbeddedChannel channel(int maxPacketSize) {
        return new EmbeddedChannel(new MqttDecoder(maxPacketSize));
    }

    /** Writes through a leak-tracked direct buffer (the UTF-8 path without a backing array). */
    private void write(EmbeddedChannel channel, byte[] bytes) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        written.add(buf);
        channel.writeInbound(buf);
    }
}
