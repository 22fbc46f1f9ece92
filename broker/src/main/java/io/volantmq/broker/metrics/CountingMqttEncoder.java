package io.volantmq.broker.metrics;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.volantmq.broker.codec.MqttEncoder;

/**
 * The MQTT encoder and the packet counts of {@link TrafficMetricsHandler} as one pipeline stage between the
 * decoder and the connection: one handler context (64 bytes) less per connection than two stages. Inbound it
 * counts the decoded packets; outbound it counts the packets, then encodes them. Stateless, so one instance
 * serves every channel.
 */
@ChannelHandler.Sharable
public final class CountingMqttEncoder extends ChannelDuplexHandler {
    private final TrafficMetricsHandler traffic;

    public CountingMqttEncoder(TrafficMetricsHandler traffic) {
        this.traffic = traffic;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        traffic.countInbound(ctx, msg);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        traffic.countOutbound(ctx, msg);
        MqttEncoder.INSTANCE.write(ctx, msg, promise);
    }
}
