package io.volantmq.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.volantmq.broker.codec.DecodeFailure;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One MQTT connection of the load: CONNECT, then SUBSCRIBE when it listens, then publishing when told.
 * Routes what the broker sends to its {@link Publisher} and {@link Receiver} (either may be absent).
 * Writes made while reading are flushed once at the end of the read burst.
 */
final class BenchClient extends ChannelInboundHandlerAdapter {
    private static final int SUBSCRIBE_PACKET_ID = 1;
    /** With --persistent-sessions: how long (s) an MQTT 5 subscriber's session outlives its connection. */
    static final long PERSISTENT_EXPIRY_SECONDS = 300;

    private final Topology.ClientPlan plan;
    private final BenchConfig config;
    private final Publisher publisher;
    private final Receiver receiver;
    private final RunStats stats;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<Void> subscribed = new CompletableFuture<>();

    private volatile Channel channel;
    private volatile boolean closing;
    private ScheduledFuture<?> pinger;

    BenchClient(Topology.ClientPlan plan, BenchConfig config, Publisher publisher, Receiver receiver,
                RunStats stats) {
        this.plan = plan;
        this.config = config;
        this.publisher = publisher;
        this.receiver = receiver;
        this.stats = stats;
    }

    String clientId() {
        return plan.clientId();
    }

    Publisher publisher() {
        return publisher;
    }

    Receiver receiver() {
        return receiver;
    }

    Channel channel() {
        return channel;
    }

    /** Completes on a successful CONNACK. */
    CompletableFuture<Void> connected() {
        return connected;
    }

    /** Sends the SUBSCRIBE (connected clients with a filter only); completes on a granted SUBACK. */
    CompletableFuture<Void> subscribe() {
        Channel ch = channel;
        ch.eventLoop().execute(() -> ch.writeAndFlush(new Subscribe(SUBSCRIBE_PACKET_ID,
                List.of(Subscription.of(plan.filter(), config.qos())), Properties.EMPTY), ch.voidPromise()));
        return subscribed;
    }

    /** Any thread: begin publishing on the event loop. */
    void startPublishing(long startNanos) {
        Channel ch = channel;
        ch.eventLoop().execute(() -> publisher.start(ch, startNanos));
    }

    /** Any thread: stop publishing new messages. */
    void stopPublishing() {
        Channel ch = channel;
        ch.eventLoop().execute(publisher::stop);
    }

    /** Any thread: DISCONNECT and close; the returned future completes when closed. */
    ChannelFuture disconnect() {
        closing = true;
        Channel ch = channel;
        ch.writeAndFlush(Disconnect.NORMAL);
        return ch.close();
    }

    void bind(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        // writing the CONNECT sets the channel's protocol version for our decoder too
        boolean keepSession = config.persistentSessions() && plan.subscriber();
        Properties properties = keepSession && config.protocol() == ProtocolVersion.MQTT_5
                ? Properties.builder().add(PropertyId.SESSION_EXPIRY_INTERVAL, PERSISTENT_EXPIRY_SECONDS).build()
                : Properties.EMPTY;
        ctx.writeAndFlush(new Connect(config.protocol(), plan.clientId(), !keepSession, config.keepAliveSeconds(),
                null, null, null, properties), ctx.voidPromise());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Publish publish) {
            if (receiver != null) {
                receiver.onPublish(publish, ctx.channel());
            } else {
                stats.error(plan.clientId() + ": PUBLISH on a connection that did not subscribe");
            }
        } else if (msg instanceof PubReply reply) {
            onReply(ctx, reply);
        } else if (msg instanceof ConnAck connAck) {
            onConnAck(ctx, connAck);
        } else if (msg instanceof SubAck subAck) {
            onSubAck(subAck);
        } else if (msg instanceof PingResp) {
            return;
        } else if (msg instanceof Disconnect disconnect) {
            fail(ctx, "broker sent DISCONNECT, reason 0x" + Integer.toHexString(disconnect.reasonCode()));
        } else if (msg instanceof DecodeFailure failure) {
            fail(ctx, "undecodable packet from the broker: " + failure.reason());
        } else {
            fail(ctx, "unexpected packet from the broker: " + msg);
        }
    }

    private void onReply(ChannelHandlerContext ctx, PubReply reply) {
        if (reply.type() == PacketType.PUBREL) {
            if (receiver != null) {
                receiver.onPubRel(reply, ctx.channel());
            }
        } else if (publisher != null) {
            publisher.onReply(reply);
        } else {
            stats.error(plan.clientId() + ": " + reply.type() + " on a connection that does not publish");
        }
    }

    private void onConnAck(ChannelHandlerContext ctx, ConnAck connAck) {
        if (connAck.reasonCode() != ReasonCode.SUCCESS) {
            connected.completeExceptionally(new IllegalStateException(
                    plan.clientId() + ": CONNACK refused, code 0x" + Integer.toHexString(connAck.reasonCode())));
            ctx.close();
            return;
        }
        if (config.protocol() == ProtocolVersion.MQTT_5 && publisher != null) {
            Integer receiveMaximum = connAck.properties().getInt(PropertyId.RECEIVE_MAXIMUM);
            if (receiveMaximum != null) {
                publisher.limitInflight(receiveMaximum);
            }
        }
        if (config.keepAliveSeconds() > 0) {
            long every = Math.max(1, config.keepAliveSeconds() / 2);
            pinger = ctx.executor().scheduleAtFixedRate(
                    () -> ctx.writeAndFlush(PingReq.INSTANCE, ctx.voidPromise()), every, every, TimeUnit.SECONDS);
        }
        connected.complete(null);
    }

    private void onSubAck(SubAck subAck) {
        int code = subAck.reasonCodes().isEmpty() ? ReasonCode.UNSPECIFIED_ERROR : subAck.reasonCodes().get(0);
        if (subAck.packetId() != SUBSCRIBE_PACKET_ID || code >= ReasonCode.UNSPECIFIED_ERROR) {
            subscribed.completeExceptionally(new IllegalStateException(
                    plan.clientId() + ": SUBSCRIBE to " + plan.filter() + " refused, code 0x" + Integer.toHexString(code)));
        } else {
            if (code != config.qos()) {
                stats.error(plan.clientId() + ": granted QoS " + code + " instead of " + config.qos());
            }
            subscribed.complete(null);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        if (publisher != null) {
            publisher.pump(); // acknowledgements may have freed inflight slots
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (publisher != null && ctx.channel().isWritable()) {
            publisher.pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pinger != null) {
            pinger.cancel(false);
        }
        if (!closing) {
            stats.error(plan.clientId() + ": connection closed by the broker");
        }
        IllegalStateException closed = new IllegalStateException(plan.clientId() + ": connection closed");
        connected.completeExceptionally(closed);
        subscribed.completeExceptionally(closed);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause.toString());
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        if (!closing) {
            stats.error(plan.clientId() + ": " + why);
        }
        IllegalStateException failure = new IllegalStateException(plan.clientId() + ": " + why);
        connected.completeExceptionally(failure);
        subscribed.completeExceptionally(failure);
        closing = true;
        ctx.close();
    }
}
