package io.volantmq.broker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PubReply;
import org.junit.jupiter.api.Test;

class CountingMqttEncoderTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TrafficMetricsHandler traffic = new TrafficMetricsHandler(new BrokerMetrics(registry));

    private double packets(String direction, String type) {
        return registry.get("volantmq.packets." + direction).tag("type", type).counter().count();
    }

    @Test
    void countsAndEncodesOutboundPackets() {
        EmbeddedChannel channel = new EmbeddedChannel(traffic, new CountingMqttEncoder(traffic));
        channel.writeOutbound(PubReply.of(PacketType.PUBACK, 7));
        ByteBuf bytes = channel.readOutbound();
        assertEquals(4, bytes.readableBytes()); // PUBACK: fixed header, remaining length 2, packet id
        assertEquals(0x40, bytes.getUnsignedByte(0));
        bytes.release();
        assertEquals(1, packets("sent", "puback"));
        assertEquals(4, registry.get("volantmq.bytes.sent").counter().count());
    }

    @Test
    void countsInboundPacketsAndPassesThemOn() {
        EmbeddedChannel channel = new EmbeddedChannel(new CountingMqttEncoder(traffic));
        PubReply ack = PubReply.of(PacketType.PUBACK, 9);
        channel.writeInbound(ack);
        assertSame(ack, channel.readInbound());
        assertEquals(1, packets("received", "puback"));
        assertEquals(0, packets("sent", "puback"));
    }
}
