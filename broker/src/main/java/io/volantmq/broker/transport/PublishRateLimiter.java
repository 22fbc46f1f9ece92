package io.volantmq.broker.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.session.ChannelInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.LongSupplier;

/**
 * Limits one connection's PUBLISH packets per second ({@code publishRate}; a token bucket holding one
 * second's worth). Over the limit, as far as each protocol lets the broker say so:
 * MQTT 5 QoS 1/2: the message is dropped and answered PUBACK/PUBREC 0x97 quota exceeded (the
 * connection stays); MQTT 5 QoS 0: DISCONNECT 0x96 message rate too high; MQTT 3.x, which has no way
 * to refuse a message: the connection is closed. Sits between the decoder and the connection handler,
 * on the channel's event loop.
 */
final class PublishRateLimiter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(PublishRateLimiter.class);

    private final ListenerSpec listener;
    private final TokenBucket bucket;
    private String clientId;
    private long refused;

    PublishRateLimiter(ListenerSpec listener) {
        this(listener, System::nanoTime);
    }

    PublishRateLimiter(ListenerSpec listener, LongSupplier nanoClock) {
        this.listener = listener;
        this.bucket = new TokenBucket(listener.publishRate(), Math.max(1, listener.publishRate()), nanoClock);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Connect connect) {
            clientId = connect.clientId();
        } else if (msg instanceof Publish publish && !bucket.tryTake(1)) {
            refuse(ctx, publish);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, Publish publish) {
        ProtocolVersion version = MqttCodec.version(ctx.channel());
        if (version.isV5() && publish.qos() > 0) {
            if (refused++ % 1000 == 0) {
                log.warn("{}: client {} from {} publishes faster than {}/s: message to '{}' refused with 0x97 "
                                + "({} so far)", listener, clientId, ChannelInfo.remoteAddress(ctx.channel()),
                        listener.publishRate(), publish.topic(), refused);
            }
            PacketType ack = publish.qos() == 1 ? PacketType.PUBACK : PacketType.PUBREC;
            // from the tail: the connection handler behind this stage encodes and counts MQTT packets
            ctx.channel().writeAndFlush(new PubReply(ack, publish.packetId(), ReasonCode.QUOTA_EXCEEDED, null));
            return;
        }
        log.warn("{}: client {} from {} publishes faster than {}/s: closing", listener, clientId,
                ChannelInfo.remoteAddress(ctx.channel()), listener.publishRate());
        ctx.channel().config().setAutoRead(false);
        if (version.isV5()) {
            ctx.channel().writeAndFlush(new Disconnect(ReasonCode.MESSAGE_RATE_TOO_HIGH, Properties.EMPTY))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}
