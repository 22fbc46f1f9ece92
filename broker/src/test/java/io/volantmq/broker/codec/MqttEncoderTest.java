package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.Test;

import static io.volantmq.broker.codec.Wire.bytes;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1;
import static io.volantmq.broker.protocol.ProtocolVersion.MQTT_5;
import static org.assertj.core.api.Assertions.assertThat;

/** The shared encoder in a pipeline: the channel's version, client-side CONNECT, refusals. */
class MqttEncoderTest {
    private static final PubReply PUBACK_NO_SUBSCRIBERS =
            new PubReply(PacketType.PUBACK, 1, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY);

    @Test
    void writes311WhileTheVersionIsUnset() {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        channel.writeOutbound(PUBACK_NO_SUBSCRIBERS);
        assertThat(readBytes(channel)).isEqualTo(bytes(0x40, 0x02, 0x00, 0x01)); // no reason code in 3.1.1
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void writesInTheChannelsVersion() {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        channel.attr(MqttCodec.PROTOCOL_VERSION).set(MQTT_5);
        channel.writeOutbound(PUBACK_NO_SUBSCRIBERS, Disconnect.NORMAL);
        assertThat(readBytes(channel)).isEqualTo(bytes(0x40, 0x03, 0x00, 0x01, 0x10));
        assertThat(readBytes(channel)).isEqualTo(bytes(0xE0, 0x00));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void writingAConnectSetsTheVersionOfAClientChannel() {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        channel.writeOutbound(new Connect(MQTT_5, "c", true, 0, null, null, null, null));
        assertThat(channel.attr(MqttCodec.PROTOCOL_VERSION).get()).isEqualTo(MQTT_5);
        assertThat(readBytes(channel)[8]).as("protocol level").isEqualTo((byte) 5);
        channel.writeOutbound(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL, null));
        assertThat(readBytes(channel)).isEqualTo(bytes(0xE0, 0x01, 0x04));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void authToA311ChannelFailsTheWrite() {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        ChannelFuture write = channel.writeOneOutbound(new Auth(ReasonCode.SUCCESS, null));
        channel.flushOutbound();
        assertThat(write.cause()).isInstanceOf(EncoderException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void bufferIsExactlyThePacketSize() {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        Publish publish = new Publish("a/€", 1, false, false, 9, new byte[1000], null);
        channel.writeOutbound(publish);
        ByteBuf buf = channel.readOutbound();
        try {
            assertThat(buf.readableBytes()).isEqualTo(MqttCodec.encodedSize(publish, MQTT_3_1_1));
        } finally {
            buf.release();
        }
        assertThat(channel.finish()).isFalse();
    }

    /** A client pipeline and a server pipeline talking 5.0 through the shared encoder. */
    @Test
    void clientAndServerPipelinesAgreeOnTheVersion() {
        EmbeddedChannel client = new EmbeddedChannel(new MqttDecoder(1024), MqttEncoder.INSTANCE);
        EmbeddedChannel server = new EmbeddedChannel(new MqttDecoder(1024), MqttEncoder.INSTANCE);
        Connect connect = new Connect(MQTT_5, "c", true, 30, null, null, null, null);
        ConnAck connAck = new ConnAck(false, ReasonCode.SUCCESS,
                Properties.builder().add(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, "auto-1").build());

        client.writeOutbound(connect);
        server.writeInbound((Object) client.readOutbound());
        Wire.assertSameMessage(server.readInbound(), connect);

        server.writeOutbound(connAck);
        client.writeInbound((Object) server.readOutbound());
        Wire.assertSameMessage(client.readInbound(), connAck);

        assertThat(client.finish()).isFalse();
        assertThat(server.finish()).isFalse();
    }

    private static byte[] readBytes(EmbeddedChannel channel) {
        ByteBuf buf = channel.readOutbound();
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }
}
