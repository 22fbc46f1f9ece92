package io.volantmq.broker.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
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
 * Packets a client sends right behind its CONNECT, before the CONNACK (allowed: [MQTT-3.1.4-7] lets
 * the server queue them), are held while the session is set up and handled once it is. That happens
 * in a task after the read, so their replies must be flushed there: found by the fuzz module (replies
 * left written but unflushed until some unrelated later flush).
 */
class PipelinedAfterConnectTest {

    @Test
    void repliesToPacketsPipelinedBehindConnectAreSent() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client client = h.open();
            client.channel.writeInbound(Unpooled.wrappedBuffer(
                    encode(new Connect(ProtocolVersion.MQTT_3_1_1, "eager", true, 0, null, null, null, null)),
                    encode(new Subscribe(1, List.of(Subscription.of("eager/#", 1)), null)),
                    encode(new Publish("elsewhere/x", 1, false, false, 2, "hi".getBytes(), null)),
                    encode(PingReq.INSTANCE)));
            List<MqttMessage> replies = client.drain();
            assertThat(replies).hasSize(4);
            assertThat(replies.get(0)).isInstanceOf(ConnAck.class);
            assertThat(replies.subList(1, 4)).containsExactly(
                    new SubAck(1, List.of(1), null),
                    new PubReply(PacketType.PUBACK, 2, 0, null),
                    PingResp.INSTANCE);
        }
    }

    private static ByteBuf encode(MqttMessage message) {
        return MqttCodec.encode(message, ProtocolVersion.MQTT_3_1_1, ByteBufAllocator.DEFAULT);
    }
}
