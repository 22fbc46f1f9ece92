package io.volantmq.broker.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Connection, rate and bandwidth limits, with a clock the test moves. */
class LimitsTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private static ListenerSpec spec(String query) {
        return ListenerSpec.parse(URI.create("tcp://127.0.0.1:1883?" + query), BrokerConfig.builder().build());
    }

    private void advanceMillis(long ms) {
        nanos.addAndGet(ms * 1_000_000L);
    }

    private static Publish publish(int qos, int packetId) {
        return new Publish("t", qos, false, false, packetId, new byte[] {1}, Properties.EMPTY);
    }

    @Test
    void tokenBucketRefillsAtItsRateUpToItsCapacity() {
        TokenBucket bucket = new TokenBucket(10, 10, nanos::get);
        for (int i = 0; i < 10; i++) {
            assertThat(bucket.tryTake(1)).isTrue();
        }
        assertThat(bucket.tryTake(1)).isFalse();
        advanceMillis(100);
        assertThat(bucket.tryTake(1)).isTrue();
        assertThat(bucket.tryTake(1)).isFalse();
        advanceMillis(60_000);
        for (int i = 0; i < 10; i++) {
            assertThat(bucket.tryTake(1)).isTrue();
        }
        assertThat(bucket.tryTake(1)).as("capacity bounds the burst").isFalse();
    }

    @Test
    void v311PublishersOverTheRateAreClosed() {
        EmbeddedChannel ch = new EmbeddedChannel(new PublishRateLimiter(spec("publishRate=2"), nanos::get));
        ch.writeInbound(publish(1, 1), publish(1, 2));
        assertThat(ch.inboundMessages()).hasSize(2);
        assertThat(ch.isOpen()).isTrue();
        ch.writeInbound(publish(1, 3));
        assertThat(ch.inboundMessages()).as("the third is not passed on").hasSize(2);
        assertThat(ch.isOpen()).as("3.1.1 cannot refuse a message: the connection ends").isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void v5RefusesQos1And2With0x97AndClosesQos0With0x96() {
        EmbeddedChannel ch = new EmbeddedChannel(new PublishRateLimiter(spec("publishRate=1"), nanos::get));
        ch.attr(MqttCodec.PROTOCOL_VERSION).set(ProtocolVersion.MQTT_5);
        ch.writeInbound(publish(1, 1));
        ch.writeInbound(publish(1, 2), publish(2, 3));
        PubReply puback = ch.readOutbound();
        assertThat(puback.type()).isEqualTo(PacketType.PUBACK);
        assertThat(puback.packetId()).isEqualTo(2);
        assertThat(puback.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        PubReply pubrec = ch.readOutbound();
        assertThat(pubrec.type()).isEqualTo(PacketType.PUBREC);
        assertThat(pubrec.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(ch.inboundMessages()).hasSize(1);
        assertThat(ch.isOpen()).isTrue();
        advanceMillis(1_000);
        ch.writeInbound(publish(1, 4));
        assertThat(ch.inboundMessages()).as("a second later the rate allows one more").hasSize(2);
        ch.writeInbound(publish(0, 0));
        Disconnect disconnect = ch.readOutbound();
        assertThat(disconnect.reasonCode()).isEqualTo(ReasonCode.MESSAGE_RATE_TOO_HIGH);
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void refusalsPassTheEncoderBehindTheLimiter() {
        // in the broker the connection handler, behind this stage, encodes: a refusal must go through it
        EmbeddedChannel ch = new EmbeddedChannel(new PublishRateLimiter(spec("publishRate=1"), nanos::get),
                io.volantmq.broker.codec.MqttEncoder.INSTANCE);
        ch.attr(MqttCodec.PROTOCOL_VERSION).set(ProtocolVersion.MQTT_5);
        ch.writeInbound(publish(1, 1), publish(1, 2));
        Object out = ch.readOutbound();
        assertThat(out).as("bytes, not a PubReply object").isInstanceOf(io.netty.buffer.ByteBuf.class);
        io.netty.buffer.ByteBuf bytes = (io.netty.buffer.ByteBuf) out;
        PubReply puback = (PubReply) MqttCodec.decode(bytes, ProtocolVersion.MQTT_5);
        bytes.release();
        assertThat(puback.packetId()).isEqualTo(2);
        assertThat(puback.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        ch.finishAndReleaseAll();
    }

    @Test
    void bandwidthOverTwoSecondsWorthEndsTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new BandwidthLimiter(spec("bandwidth=1000"), nanos::get));
        ch.attr(MqttCodec.PROTOCOL_VERSION).set(ProtocolVersion.MQTT_5);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[1500]));
        assertThat(ch.isOpen()).as("into debt, within a second's worth").isTrue();
        advanceMillis(1_000);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[1400]));
        assertThat(ch.isOpen()).isTrue();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[200]));
        assertThat(ch.isOpen()).isFalse();
        Disconnect disconnect = ch.readOutbound();
        assertThat(disconnect.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(ch.inboundMessages()).hasSize(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void connectionLimitsPerListenerAndBrokerWide() {
        AtomicInteger brokerOpen = new AtomicInteger();
        ConnectionGate a = new ConnectionGate(spec("maxConnections=2"), brokerOpen, 3, nanos::get);
        ConnectionGate b = new ConnectionGate(spec("maxConnections=5"), brokerOpen, 3, nanos::get);
        EmbeddedChannel a1 = new EmbeddedChannel();
        EmbeddedChannel a2 = new EmbeddedChannel();
        assertThat(a.admit(a1)).isTrue();
        assertThat(a.admit(a2)).isTrue();
        assertThat(a.admit(new EmbeddedChannel())).as("listener limit").isFalse();
        EmbeddedChannel b1 = new EmbeddedChannel();
        assertThat(b.admit(b1)).isTrue();
        assertThat(b.admit(new EmbeddedChannel())).as("broker-wide limit").isFalse();
        assertThat(brokerOpen.get()).isEqualTo(3);
        a1.close();
        assertThat(a.open()).isEqualTo(1);
        assertThat(b.admit(new EmbeddedChannel())).as("a closed connection frees its slot").isTrue();
    }

    @Test
    void connectRateRefusesTheBurstBeyondOneSecondsWorth() {
        ConnectionGate gate = new ConnectionGate(spec("connectRate=3"), new AtomicInteger(), 0, nanos::get);
        for (int i = 0; i < 3; i++) {
            assertThat(gate.admit(new EmbeddedChannel())).isTrue();
        }
        assertThat(gate.admit(new EmbeddedChannel())).isFalse();
        advanceMillis(400);
        assertThat(gate.admit(new EmbeddedChannel())).isTrue();
        assertThat(gate.admit(new EmbeddedChannel())).isFalse();
    }
}
