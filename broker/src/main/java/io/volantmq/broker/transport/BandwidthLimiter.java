package io.volantmq.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.session.ChannelInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * Limits one connection's inbound MQTT bytes per second ({@code bandwidth}; counted after TLS and
 * WebSocket framing). A token bucket holds one second's worth and may go one second's worth into debt,
 * since bytes arrive in chunks of whatever size the network delivered: a connection is over the limit
 * once it has sent more than two seconds' worth beyond what the rate refilled.
 * Over the limit the connection ends: MQTT 5 is told DISCONNECT 0x97 quota exceeded first, 3.x is
 * closed. Sits in front of the MQTT decoder, on the channel's event loop.
 */
final class BandwidthLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(BandwidthLimiter.class);

    private final ListenerSpec listener;
    private final TokenBucket bucket;
    private boolean exceeded;

    BandwidthLimiter(ListenerSpec listener) {
        this(listener, System::nanoTime);
    }

    BandwidthLimiter(ListenerSpec listener, LongSupplier nanoClock) {
        this.listener = listener;
        this.bucket = new TokenBucket(listener.bandwidth(), listener.bandwidth(), nanoClock);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (exceeded || !bucket.takeWithDebt(buf.readableBytes(), listener.bandwidth())) {
            ReferenceCountUtil.release(msg);
            if (!exceeded) {
                exceeded = true;
                log.warn("{}: {} sends more than {} bytes/s: closing", listener,
                        ChannelInfo.remoteAddress(ctx.channel()), listener.bandwidth());
                ctx.channel().config().setAutoRead(false);
                if (MqttCodec.version(ctx.channel()).isV5()) {
                    // from the tail, so the MQTT encoder behind this handler encodes it
                    ctx.channel().writeAndFlush(new Disconnect(ReasonCode.QUOTA_EXCEEDED, Properties.EMPTY))
                            .addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.close();
                }
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
