package io.volantmq.broker.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.volantmq.broker.codec.EncodedPublish;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.Publish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what crosses a connection. At the head of every pipeline it sees bytes; the connection handler,
 * which also encodes, counts its packets with {@link #countInbound(BrokerMetrics, ChannelHandlerContext, Object)}
 * and {@link #countOutbound(BrokerMetrics, ChannelHandlerContext, Object)}. Stateless, so one instance
 * serves every channel.
 */
@ChannelHandler.Sharable
public final class TrafficMetricsHandler extends ChannelDuplexHandler {
    /** Packet traces at TRACE: {@code -Dvolantmq.logLevel=TRACE} or a logger setting for this class. */
    private static final Logger log = LoggerFactory.getLogger(TrafficMetricsHandler.class);
    private final BrokerMetrics metrics;

    public TrafficMetricsHandler(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        countInbound(ctx, msg);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        countOutbound(ctx, msg);
        ctx.write(msg, promise);
    }

    private void countInbound(ChannelHandlerContext ctx, Object msg) {
        countInbound(metrics, ctx, msg);
    }

    private void countOutbound(ChannelHandlerContext ctx, Object msg) {
        countOutbound(metrics, ctx, msg);
    }

    /** Counts a received buffer's bytes, or a decoded packet (and its message). */
    public static void countInbound(BrokerMetrics metrics, ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            metrics.bytesReceived(buf.readableBytes());
        } else if (msg instanceof MqttMessage message) {
            if (log.isTraceEnabled()) {
                log.trace("{} <- {}", ctx.channel().remoteAddress(), message);
            }
            metrics.packetReceived(message.type());
            if (message instanceof Publish publish) {
                metrics.messageReceived(publish.payload().length);
            }
        }
    }

    /** Counts a sent buffer's bytes, or a packet (and its message) about to be encoded. */
    public static void countOutbound(BrokerMetrics metrics, ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            metrics.bytesSent(buf.readableBytes());
        } else if (msg instanceof MqttMessage message) {
            if (log.isTraceEnabled()) {
                log.trace("{} -> {}", ctx.channel().remoteAddress(), message);
            }
            metrics.packetSent(message.type());
            if (message instanceof Publish publish) {
                metrics.messageSent(publish.payload().length);
            }
        } else if (msg instanceof EncodedPublish encoded) { // a QoS 0 PUBLISH whose bytes are shared
            if (log.isTraceEnabled()) {
                log.trace("{} -> {}", ctx.channel().remoteAddress(), encoded);
            }
            metrics.packetSent(encoded.publish().type());
            metrics.messageSent(encoded.publish().payload().length);
        }
    }
}
