package io.volantmq.broker.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.AuthRequest;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.codec.DecodeFailure;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Unsubscribe;
import io.volantmq.broker.protocol.Will;
import io.volantmq.broker.transport.ListenerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One network connection: the CONNECT handshake, then packets dispatched to the session. Every
 * method runs on the channel's event loop except {@link #writeFromAnyThread}.
 */
public final class MqttConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    private enum State { AWAITING_CONNECT, CONNECTING, CONNECTED, CLOSED }

    private final BrokerContext broker;
    private final ListenerContext listener;
    private final SubscribeFlow subscribeFlow;
    private final PublishFlow publishFlow;
    private ChannelHandlerContext ctx;
    private Channel channel;
    private State state = State.AWAITING_CONNECT;
    private ProtocolVersion version = ProtocolVersion.MQTT_3_1_1;
    private String clientId;
    private ClientIdentity identity;
    private Session session;
    private Will will;
    private ScheduledFuture<?> connectTimeout;
    /** Packets that arrived after CONNECT but before the session was ready; reads are paused meanwhile. */
    private final Queue<MqttMessage> pending = new ArrayDeque<>();
    private final CompletableFuture<Void> detached = new CompletableFuture<>();
    private boolean flushScheduled;
    private String closeReason;

    public MqttConnection(BrokerContext broker, ListenerContext listener) {
        this.broker = broker;
        this.listener = listener;
        this.subscribeFlow = new SubscribeFlow(broker);
        this.publishFlow = new PublishFlow(broker);
    }

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    ProtocolVersion version() {
        return version;
    }

    String clientId() {
        return clientId;
    }

    /** Set once authentication has succeeded. */
    ClientIdentity identity() {
        return identity;
    }

    SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    /** Completes once this connection has left its session (after close). */
    CompletableFuture<Void> detached() {
        return detached;
    }

    // ------------------------------------------------------------------ Netty events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        int seconds = broker.config().connectTimeoutSeconds();
        connectTimeout = ctx.executor().schedule(() -> {
            if (state == State.AWAITING_CONNECT) {
                close("no CONNECT within " + seconds + " s");
            }
        }, seconds, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DecodeFailure failure) {
                onDecodeFailure(failure);
            } else if (msg instanceof MqttMessage message) {
                onMessage(message);
            }
        } catch (RuntimeException e) {
            log.error("closing connection from {} (client {}): internal error handling a packet", remoteAddress(),
                    clientId, e);
            closeWithReason(ReasonCode.UNSPECIFIED_ERROR, "internal error");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // one flush for everything the reads of this turn wrote (acks, SUBACKs, ...)
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable() && session != null && state == State.CONNECTED) {
            session.pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // [MQTT-3.1.2-24] one and a half keep-alive periods without a packet
            closeWithReason(ReasonCode.KEEP_ALIVE_TIMEOUT, "keep-alive expired");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // network errors (reset by peer, ...) end the connection like any abnormal close: the will goes out
        log.debug("connection from {} (client {}) failed", remoteAddress(), clientId, cause);
        close(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        State previous = state;
        state = State.CLOSED;
        pending.clear();
        try {
            if (session != null && previous == State.CONNECTED) {
                leaveSession();
            }
        } finally {
            detached.complete(null);
        }
        ctx.fireChannelInactive();
    }

    private void leaveSession() {
        if (will != null) {
            log.debug("client {} lost its connection: publishing its will to {}", clientId, will.topic());
            broker.router().publish(clientId, new Publish(will.topic(), will.qos(), will.retain(), false, 0,
                    will.payload(), will.properties()));
            will = null;
        }
        if (session.detach(this)) {
            broker.sessions().disconnected(session);
        }
        log.info("client {} disconnected from {} ({}): {}", clientId, remoteAddress(), version,
                closeReason == null ? "connection closed by client" : closeReason);
    }

    // ------------------------------------------------------------------ packets

    private void onMessage(MqttMessage message) {
        switch (state) {
            case CLOSED -> {
                return;
            }
            case AWAITING_CONNECT -> {
                if (message instanceof Connect connect) {
                    onConnect(connect);
                } else {
                    protocolViolation("first packet must be CONNECT, got " + message.type() + " [MQTT-3.1.0-1]");
                }
                return;
            }
            case CONNECTING -> {
                pending.add(message);
                return;
            }
            case CONNECTED -> dispatch(message);
        }
    }

    private void dispatch(MqttMessage message) {
        switch (message.type()) {
            case PUBLISH -> publishFlow.onPublish(this, session, (Publish) message);
            case PUBACK, PUBCOMP -> session.onDeliveryComplete(((PubReply) message).packetId());
            case PUBREC -> {
                PubReply pubRel = session.onPubRec((PubReply) message, version);
                if (pubRel != null) {
                    writeAndFlush(pubRel);
                }
            }
            case PUBREL -> publishFlow.onPubRel(this, session, (PubReply) message);
            case SUBSCRIBE -> subscribeFlow.onSubscribe(this, session, (Subscribe) message);
            case UNSUBSCRIBE -> subscribeFlow.onUnsubscribe(this, session, (Unsubscribe) message);
            case PINGREQ -> writeAndFlush(PingResp.INSTANCE);
            case DISCONNECT -> onDisconnect((Disconnect) message);
            case CONNECT -> protocolViolation("second CONNECT on one connection [MQTT-3.1.0-2]");
            default -> protocolViolation(message.type() + " may not be sent by a client");
        }
    }

    private void onDecodeFailure(DecodeFailure failure) {
        if (failure.version() != null) {
            version = failure.version();
        }
        String reason = "malformed " + (failure.packetType() == null ? "packet" : failure.packetType())
                + ": " + failure.reason();
        if (state == State.AWAITING_CONNECT && failure.packetType() == PacketType.CONNECT) {
            if (version.isV5()) {
                refuseConnect(failure.reasonCode(), reason);
            } else if (failure.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
                refuseConnect(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, reason); // [MQTT-3.1.2-2]
            } else {
                close(reason);
            }
            return;
        }
        closeWithReason(failure.reasonCode(), reason);
    }

    private void onConnect(Connect connect) {
        connectTimeout.cancel(false);
        version = connect.version();
        clientId = connect.clientId();
        if (clientId.isEmpty()) {
            // 3.1 requires 1..23 characters; 3.1.1 allows empty only with clean session [MQTT-3.1.3-7/8]
            if (version == ProtocolVersion.MQTT_3_1 || (!connect.cleanSession() && !version.isV5())) {
                refuseConnect(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "empty client id without clean session");
                return;
            }
            clientId = "auto-" + UUID.randomUUID();
        }
        state = State.CONNECTING;
        channel.config().setAutoRead(false);
        AuthRequest request = new AuthRequest(listener.uri().toString(), connect.clientId(), connect.username(),
                connect.password(), remoteAddress(), List.of(), version);
        listener.authenticator().authenticate(request).whenComplete((result, error) -> eventLoop().execute(() -> {
            if (state != State.CONNECTING) {
                return; // closed while the authenticator worked
            }
            if (error != null) {
                log.error("authentication of client {} from {} failed", clientId, remoteAddress(), error);
                refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "authentication failed: " + error);
            } else if (!result.allowed()) {
                refuseConnect(result.reasonCode(), "not authenticated: " + result.reason());
            } else {
                String username = result.username() != null ? result.username() : connect.username();
                identity = new ClientIdentity(clientId, username, listener.uri().toString(), remoteAddress());
                claimSession(connect);
            }
        }));
    }

    private void claimSession(Connect connect) {
        SessionRegistry.Claim claim = broker.sessions().claim(clientId, connect.cleanSession(), version.level());
        if (claim.refusedFull()) {
            refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "session limit reached (volantmq.maxSessionCount)");
            return;
        }
        if (claim.previous() != null) {
            MqttConnection previous = claim.previous();
            broker.events().onDuplicateClientId(clientId, previous.remoteAddress(), remoteAddress(),
                    claim.refusedDuplicate());
            if (claim.refusedDuplicate()) {
                refuseConnect(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                        "client id in use by " + previous.remoteAddress() + " (volantmq.duplicateClientId=refuse)");
                return;
            }
            log.info("client {} from {} takes over the session connected from {}", clientId, remoteAddress(),
                    previous.remoteAddress());
            previous.eventLoop().execute(() -> previous.closeWithReason(ReasonCode.SESSION_TAKEN_OVER,
                    "session taken over by " + remoteAddress()));
            previous.detached().whenComplete((ignored, error) -> eventLoop().execute(() -> {
                if (state == State.CONNECTING) {
                    claimSession(connect);
                }
            }));
            return;
        }
        completeConnect(connect, claim);
    }

    private void completeConnect(Connect connect, SessionRegistry.Claim claim) {
        session = claim.session();
        will = connect.will();
        session.attach(this);
        startKeepAlive(connect.keepAlive());
        state = State.CONNECTED;
        ConnAck connAck = new ConnAck(claim.sessionPresent(), ReasonCode.SUCCESS, Properties.EMPTY);
        write(connAck);
        log.info("client {} connected from {} ({}, clean session {}, keep-alive {} s, session present {})",
                clientId, remoteAddress(), version, connect.cleanSession(), connect.keepAlive(),
                claim.sessionPresent());
        session.resume();
        flush();
        while (!pending.isEmpty() && state == State.CONNECTED) {
            dispatch(pending.poll());
        }
        channel.config().setAutoRead(true);
    }

    private void startKeepAlive(int clientKeepAlive) {
        BrokerConfig config = broker.config();
        int seconds = config.forceKeepAlive() ? config.keepAliveSeconds() : clientKeepAlive;
        if (seconds > 0) {
            long millis = seconds * 1500L; // 1.5 x keep-alive [MQTT-3.1.2-24]
            ctx.pipeline().addBefore(ctx.name(), "keepAlive",
                    new IdleStateHandler(millis, 0, 0, TimeUnit.MILLISECONDS));
        }
    }

    private void onDisconnect(Disconnect disconnect) {
        // [MQTT-3.14.4-3] a DISCONNECT discards the will; MQTT 5 reason 0x04 asks for it to be sent
        if (!(version.isV5() && disconnect.reasonCode() == ReasonCode.DISCONNECT_WITH_WILL)) {
            will = null;
        }
        close("client sent DISCONNECT");
    }

    void protocolViolation(String reason) {
        closeWithReason(ReasonCode.PROTOCOL_ERROR, reason);
    }

    // ------------------------------------------------------------------ writing and closing

    private void refuseConnect(int reasonCode, String reason) {
        int code = version.isV5() ? reasonCode : ReasonCode.toV3ConnAck(reasonCode);
        log.warn("refused connection from {} (client {}, {}): {}", remoteAddress(), clientId, version, reason);
        state = State.CLOSED;
        closeReason = reason;
        channel.writeAndFlush(new ConnAck(false, code, Properties.EMPTY)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes after telling an MQTT 5 client why (DISCONNECT with a reason code); 3.x just closes. */
    void closeWithReason(int reasonCode, String reason) {
        if (state == State.CLOSED || !channel.isActive()) {
            return;
        }
        if (state == State.CONNECTED && version.isV5()) {
            channel.writeAndFlush(new Disconnect(reasonCode, Properties.EMPTY));
        }
        log.warn("closing connection from {} (client {}, {}): {}", remoteAddress(), clientId, version, reason);
        close(reason);
    }

    void close(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        channel.close();
    }

    void write(MqttMessage message) {
        ctx.write(message, ctx.voidPromise());
    }

    void flush() {
        ctx.flush();
    }

    void writeAndFlush(MqttMessage message) {
        ctx.writeAndFlush(message, ctx.voidPromise());
    }

    boolean writable() {
        return channel.isWritable();
    }

    /** Writes from any thread; flushes are coalesced to one per event-loop turn. */
    void writeFromAnyThread(MqttMessage message) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            writeCoalesced(message);
        } else {
            loop.execute(() -> writeCoalesced(message));
        }
    }

    private void writeCoalesced(MqttMessage message) {
        if (state != State.CONNECTED) {
            return;
        }
        write(message);
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(() -> {
                flushScheduled = false;
                flush();
            });
        }
    }
}
