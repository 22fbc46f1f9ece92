package io.volantmq.broker.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Packets that arrive in one read with the packet that ends the connection (DISCONNECT, a malformed
 * packet): their replies are written during the read and flushed at its end, so a close in between
 * must send them first, not drop them (found by the fuzz module: Netty failed the unflushed writes
 * with ClosedChannelException, reported through exceptionCaught).
 */
class RepliesBeforeCloseTest {

    @Test
    void pubAckOfAPublishFollowedByDisconnectInTheSameReadIsSent() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client client = h.connect("pub-then-bye", true);
            client.channel.writeInbound(Unpooled.wrappedBuffer(
                    encode(new Publish("t/1", 1, false, false, 5, "x".getBytes(), null)),
                    encode(new Disconnect(0, null))));
            List<MqttMessage> replies = client.drain();
            assertThat(replies).containsExactly(new PubReply(PacketType.PUBACK, 5, 0, null));
            assertThat(client.isOpen()).isFalse();
        }
    }

    @Test
    void pingRespBeforeAMalformedPacketInTheSameReadIsSent() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client client = h.connect("ping-then-garbage", true);
            // PINGREQ, then a PINGREQ with reserved flags set: malformed [MQTT-2.2.2-2]
            client.channel.writeInbound(Unpooled.wrappedBuffer(new byte[]{(byte) 0xC0, 0, (byte) 0xC9, 0}));
            assertThat(client.drain()).containsExactly(PingResp.INSTANCE);
            assertThat(client.isOpen()).isFalse();
        }
    }

    @Test
    void subAckOfASubscribeFollowedByDisconnectInTheSameReadIsSent() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client client = h.connect("sub-then-bye", true);
            client.channel.writeInbound(Unpooled.wrappedBuffer(
                    encode(new Subscribe(3, List.of(Subscription.of("t/#", 1)), null)),
                    encode(new Disconnect(0, null))));
            assertThat(client.drain()).containsExactly(new SubAck(3, List.of(1), null));
            assertThat(client.isOpen()).isFalse();
        }
    }

    private static ByteBuf encode(MqttMessage message) {
        return MqttCodec.encode(message, ProtocolVersion.MQTT_3_1_1, ByteBufAllocator.DEFAULT);
    }
}
