package io.volantmq.broker.session;

import io.volantmq.broker.BrokerContext;

import io.volantmq.broker.LogSafe;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.codec.DecodeFailure;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.codec.MqttEncoder;
import io.volantmq.broker.metrics.TrafficMetricsHandler;
import io.volantmq.broker.codec.SharedPublish;
import io.volantmq.broker.store.GroupCommit;
import io.volantmq.broker.store.StoreLane;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Unsubscribe;
import io.volantmq.broker.protocol.Will;
import io.volantmq.broker.routing.SharedSubscriptions;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One network connection: the handshake (delegated to {@link ConnectFlow}), then packets dispatched
 * to the session's flows. Every method runs on the channel's event loop except
 * {@link #writeFromAnyThread}.
 *
 * <p>It is also the pipeline's MQTT encoder and counts the packets both ways: a separate encoder stage
 * would cost every connection a handler context (64 bytes) and every packet a pipeline hop.
 */
public final class MqttConnection extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);

    /** Fired into every open channel when the broker stops: MQTT 5 clients hear 0x8B. */
    public static final Object SHUTDOWN = new Object();

    /** Fired through the pipeline once the CONNACK is out: transport stages may lift their pre-CONNECT limits. */
    public static final Object CONNECT_ACCEPTED = new Object();

    /** How long a publisher's reads pause when a queue it feeds is congested. */
    private static final long THROTTLE_MILLIS = 5;
    /** Packets read and held while paused for another node, beyond which no more are read (memory). */
    private static final int MAX_HELD_WHILE_BEHIND = 1024;

    private enum State { AWAITING_CONNECT, CONNECTING, CONNECTED, CLOSED }

    /** How long a client told why it is disconnected may still send before its socket is closed. */
    private static final long CLOSE_LINGER_MILLIS = 1_000;

    private static final VarHandle DETACHED;

    static {
        try {
            DETACHED = MethodHandles.lookup().findVarHandle(MqttConnection.class, "detached", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final BrokerContext broker;
    private final ListenerContext listener;
    /** The handshake; kept after the CONNACK only for re-authentication (a CONNECT with a method). */
    private ConnectFlow connectFlow;
    /** Created with the first SUBSCRIBE or UNSUBSCRIBE: many connections never send one. */
    private SubscribeFlow subscribeFlow;
    /** Created with the first PUBLISH or PUBREL: many connections never send one. */
    private PublishFlow publishFlow;
    private ChannelHandlerContext ctx;
    private Channel channel;
    private State state = State.AWAITING_CONNECT;
    private ProtocolVersion version = ProtocolVersion.MQTT_3_1_1;
    private String clientId;
    private ClientIdentity identity;
    private Session session;
    private Will will;
    private long connectExpirySeconds;
    private long clientMaxPacketSize;
    private boolean problemInformation = true;
    private ScheduledFuture<?> connectTimeout;
    /** See {@link #detached()}; null until asked for. */
    private volatile CompletableFuture<Void> detached;
    /** Set once the connection has left its session; read with {@link #detached} from other threads. */
    private volatile boolean ended;
    private boolean flushScheduled;
    /** Packets waiting for the next group commit; null when none. */
    private List<MqttMessage> awaitingSync;
    /** Store work and acknowledgements of this event-loop turn, for the client's store lane; null when none. */
    private LaneBatch laneBatch;
    /** The store work executor without lanes: the change runs at once, on the event loop. */
    static final Executor INLINE = Runnable::run;
    /** Batches handed to the store lane and not yet done. */
    private int laneBatchesPending;
    /** The store lane held more than its bound: reading pauses until this connection's batches are done. */
    private boolean awaitingStore;
    /** Hands store work to this turn's lane batch; made on first use (only a broker with lanes uses it). */
    private Executor laneWork;
    /** As {@link #laneWork}, for changes the lane need not sync (see {@link #storeWorkUnsynced()}). */
    private Executor laneWorkUnsynced;
    private boolean throttled;
    /** A message of this publisher went to another node whose inbox is too far behind: reading waits for it. */
    private boolean awaitingBacklog;
    /** Which pause a scheduled peek belongs to: a peek of an ended pause stops instead of running on. */
    private int backlogPause;
    /** A blocking plugin hook decides a packet of this connection: nothing more of it is read or handled. */
    private boolean awaitingPlugin;
    /**
     * Packets decoded while {@link #awaitingPlugin}, handled in order once the answer is in. Bounded: reads stop
     * with the hand-off, so this holds at most what the decoder took out of the last read.
     */
    private ArrayDeque<Object> held;
    private String closeReason;
    private final OutboundSettings outbound;
    /** Closes the connection when its client has read nothing for too long; null while writable. */
    private ScheduledFuture<?> unwritableDeadline;
    /** Outbound topic aliases (MQTT 5, when the client accepts them); null otherwise. */
    private TopicAliases topicAliases;
    /** The keep-alive in force (s), set at the CONNACK; 0 for none. */
    private int keepAliveSeconds;
    /** When the last packet arrived, on the event loop's clock; read by {@link #checkKeepAlive}. */
    private long lastPacketNanos;
    /**
     * The next keep-alive check, one task on the event loop's timer instead of a handler in the pipeline: a
     * packet only stamps {@link #lastPacketNanos}, and the check reschedules itself for what is left.
     */
    private ScheduledFuture<?> keepAliveCheck;

    public MqttConnection(BrokerContext broker, ListenerContext listener) {
        this.broker = broker;
        this.listener = listener;
        this.connectFlow = new ConnectFlow(broker, this);
        this.outbound = broker.sessions().outbound();
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

    ListenerContext listener() {
        return listener;
    }

    /** Set once authentication has succeeded. */
    ClientIdentity identity() {
        return identity;
    }

    void identity(ClientIdentity identity) {
        this.identity = identity;
    }

    SocketAddress remoteAddress() {
        return ChannelInfo.remoteAddress(channel); // the client behind a PROXY header
    }

    /** The client certificate chain the TLS handshake verified, leaf first; empty without one. */
    java.util.List<java.security.cert.X509Certificate> peerCertificates() {
        return ChannelInfo.peerCertificates(channel);
    }

    /** The negotiated TLS; null without. */
    ChannelInfo.Tls tls() {
        return ChannelInfo.tls(channel);
    }

    /** The keep-alive in force (s); 0 for none. */
    int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    boolean isConnecting() {
        return state == State.CONNECTING;
    }

    boolean isOpen() {
        return state != State.CLOSED && channel.isActive();
    }

    @SuppressWarnings("unchecked")
    private static CompletableFuture<Void> future(Object detached) {
        return (CompletableFuture<Void>) detached;
    }

    /** The CONNACK is out and no re-authentication can follow: the handshake's state can go. */
    void handshakeDone() {
        connectFlow = null;
    }

    /**
     * Completes once this connection has left its session (after close). Made on first ask (a takeover,
     * from another event loop): most connections are never asked.
     */
    CompletableFuture<Void> detached() {
        CompletableFuture<Void> future = detached;
        if (future == null) {
            CompletableFuture<Void> made = new CompletableFuture<>();
            Object earlier = DETACHED.compareAndExchange(this, null, made);
            future = earlier == null ? made : future(earlier);
        }
        if (ended) {
            future.complete(null);
        }
        return future;
    }

    // ------------------------------------------------------------------ Netty events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startConnectTimer();
        ctx.fireChannelActive();
    }

    /**
     * connectTimeout bounds each half of the handshake: from the first byte to the CONNECT, and from
     * the CONNECT to the CONNACK (an authenticator that never answers, an AUTH exchange the client
     * abandons, a takeover that hangs). The session is not claimed after it fires.
     */
    private void startConnectTimer() {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        State phase = state;
        int seconds = broker.config().connectTimeoutSeconds();
        connectTimeout = ctx.executor().schedule(() -> {
            try {
                if (state == phase) {
                    onConnectTimeout(seconds);
                }
            } catch (Throwable t) {
                log.error("connection from {}: connect timeout handling failed", remoteAddress(), t);
                channel.close();
            }
        }, seconds, TimeUnit.SECONDS);
    }

    private void onConnectTimeout(int seconds) {
        if (state == State.AWAITING_CONNECT) {
            close("no CONNECT within " + seconds + " s");
        } else if (connectFlow.awaitingClientAuth()) {
            refuseConnect(ReasonCode.NOT_AUTHORIZED, "authentication not completed: no AUTH from the client within "
                    + seconds + " s (volantmq.connectTimeout)");
        } else {
            // the broker's side did not finish: the client may try again later
            refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "no CONNACK within " + seconds + " s of the CONNECT: "
                    + "authentication or session takeover did not complete (volantmq.connectTimeout)");
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        TrafficMetricsHandler.countInbound(broker.metrics(), ctx, msg);
        if (keepAliveSeconds > 0) {
            lastPacketNanos = ctx.executor().ticker().nanoTime(); // any packet counts [MQTT-3.1.2-23]
        }
        if (awaitingBacklog && !awaitingPlugin && msg instanceof MqttMessage m && m.type() == PacketType.PINGREQ) {
            handle(msg); // answered while paused for another node: the client's keep-alive must not end it
            return;
        }
        if (awaitingPlugin || awaitingBacklog || held != null && !held.isEmpty()) {
            if (held == null) {
                held = new ArrayDeque<>();
            }
            held.add(msg); // MQTT orders a connection's packets: none may overtake the one a plugin decides
            return;
        }
        handle(msg);
    }

    private void handle(Object msg) {
        try {
            if (msg instanceof DecodeFailure failure) {
                onDecodeFailure(failure);
            } else if (msg instanceof MqttMessage message) {
                onMessage(message);
            }
        } catch (PersistenceException e) {
            closeWithReason(ReasonCode.UNSPECIFIED_ERROR, "store unavailable: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("closing connection from {} (client {}): internal error handling a packet", remoteAddress(),
                    LogSafe.escape(clientId), e);
            closeWithReason(ReasonCode.UNSPECIFIED_ERROR, "internal error");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (session != null && state == State.CONNECTED) {
            session.pumpIfAcknowledged();
        }
        // one flush for everything the reads of this turn wrote (acks, SUBACKs, deliveries)
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    /**
     * Over the write-buffer high-water mark the client is not reading what we send (acks, deliveries):
     * stop reading from it too, or every packet it sends would add an answer to a buffer that does not
     * drain. If it stays so for {@code unwritableTimeout}, close it.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = channel.isWritable();
        if (writable) {
            cancelUnwritableDeadline();
        } else if (unwritableDeadline == null && state != State.CLOSED && outbound.unwritableTimeoutMillis() > 0) {
            unwritableDeadline = ctx.executor().schedule(this::unwritableTooLong,
                    outbound.unwritableTimeoutMillis(), TimeUnit.MILLISECONDS);
        }
        updateAutoRead();
        if (writable && session != null && state == State.CONNECTED) {
            session.pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void unwritableTooLong() {
        unwritableDeadline = null;
        if (state == State.CLOSED || !channel.isActive() || channel.isWritable()) {
            return;
        }
        broker.metrics().unwritableClosed();
        // no DISCONNECT: it could not be written either
        log.warn("closing connection from {} (client {}, {}): it has read too little for {} s to drain the "
                + "write buffer ({} bytes more needed)", remoteAddress(), clientId, version,
                outbound.unwritableTimeoutMillis() / 1000, channel.bytesBeforeWritable());
        close("client not reading (write buffer full for " + outbound.unwritableTimeoutMillis() / 1000 + " s)");
    }

    private void cancelUnwritableDeadline() {
        if (unwritableDeadline != null) {
            unwritableDeadline.cancel(false);
            unwritableDeadline = null;
        }
    }

    /**
     * The one place that decides whether to read from the client: not while connecting (packets wait
     * for the session), not while throttled ({@link #throttle}), not while the client does not read
     * what we write. Each of those calls this when it changes.
     */
    private void updateAutoRead() {
        if (state == State.CLOSED) {
            return;
        }
        channel.config().setAutoRead(readable() && !awaitingBacklog);
    }

    private boolean readable() {
        return state != State.CONNECTING && !throttled && !awaitingPlugin && !awaitingStore && channel.isWritable();
    }

    /**
     * A flow hands this connection's current packet to a blocking plugin hook: reading stops and further
     * decoded packets wait, while the event loop serves its other connections. The flow calls
     * {@link #afterPlugin} with what to do once the answer is in.
     */
    void awaitPlugin() {
        awaitingPlugin = true;
        updateAutoRead();
    }

    /**
     * From any thread: runs {@code continuation} (the rest of the flow, with the plugin's answer) on this
     * connection's event loop, then the packets that waited, in order, and reading resumes. Nothing runs
     * when the connection closed meanwhile.
     */
    void afterPlugin(Runnable continuation) {
        channel.eventLoop().execute(() -> {
            awaitingPlugin = false;
            if (state == State.CLOSED) {
                held = null;
                return;
            }
            try {
                continuation.run();
            } catch (PersistenceException e) {
                closeWithReason(ReasonCode.UNSPECIFIED_ERROR, "store unavailable: " + e.getMessage());
            } catch (RuntimeException e) {
                log.error("closing connection from {} (client {}): internal error applying a plugin's answer",
                        remoteAddress(), LogSafe.escape(clientId), e);
                closeWithReason(ReasonCode.UNSPECIFIED_ERROR, "internal error");
            }
            handleHeld();
        });
    }

    /** The packets that waited (for a plugin's answer, for another node), in order, then reading resumes. */
    private void handleHeld() {
        while (!awaitingPlugin && !awaitingBacklog && held != null && !held.isEmpty() && state != State.CLOSED) {
            handle(held.poll());
        }
        updateAutoRead();
        if (session != null && state == State.CONNECTED) {
            session.pumpIfAcknowledged();
        }
        ctx.flush();
    }

    private void scheduleKeepAliveCheck(long delayNanos) {
        keepAliveCheck = ctx.executor().schedule(this::checkKeepAlive, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** [MQTT-3.1.2-24] one and a half keep-alive periods without a packet close the connection. */
    private void checkKeepAlive() {
        keepAliveCheck = null;
        if (state != State.CONNECTED || !channel.isActive()) {
            return;
        }
        long limit = keepAliveSeconds * 1_500_000_000L;
        long idle = ctx.executor().ticker().nanoTime() - lastPacketNanos;
        if (idle < limit) {
            scheduleKeepAliveCheck(limit - idle);
        } else if (unwritableDeadline != null || awaitingBacklog) {
            // we stopped reading, not the client: its PINGREQs wait unread; the deadline (or the other node) decides
            scheduleKeepAliveCheck(limit);
        } else {
            closeWithReason(ReasonCode.KEEP_ALIVE_TIMEOUT, "keep-alive expired");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == SHUTDOWN) {
            closeWithReason(ReasonCode.SERVER_SHUTTING_DOWN, "broker shutting down");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // network errors (reset by peer, ...) end the connection like any abnormal close: the will goes out
        log.debug("connection from {} (client {}) failed", remoteAddress(), LogSafe.escape(clientId), cause);
        close(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        endConnection();
        ctx.fireChannelInactive();
    }

    /** Leaves the session and stops handling packets; once only (a lingering close calls it before the socket closes). */
    private void endConnection() {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        if (keepAliveCheck != null) {
            keepAliveCheck.cancel(false);
            keepAliveCheck = null;
        }
        cancelUnwritableDeadline();
        State previous = state;
        state = State.CLOSED;
        try {
            if (session != null && previous == State.CONNECTED) {
                leaveSession();
            }
        } finally {
            ended = true; // then the future: detached() looks in the opposite order, so one of them completes it
            CompletableFuture<Void> future = detached;
            if (future != null) {
                future.complete(null);
            }
        }
    }

    private void leaveSession() {
        Map<String, SubscriptionOptions> shared = SharedSubscriptions.sharedOf(session.subscriptions());
        if (session.detach(this)) {
            // shared subscriptions must not strand messages with a member that left
            broker.router().shared().redistribute(clientId, shared);
            StoredMessage willMessage = null;
            long willDelay = 0;
            if (will != null) {
                Properties willProperties = will.properties();
                Long delay = willProperties.getLong(PropertyId.WILL_DELAY_INTERVAL);
                willDelay = delay == null ? 0 : delay;
                willMessage = broker.messageCodec().toStored(new Publish(will.topic(), will.qos(), will.retain(),
                        false, 0, will.payload(), willProperties.without(PropertyId.WILL_DELAY_INTERVAL)),
                        System.currentTimeMillis());
            }
            try {
                broker.sessions().disconnected(session, willMessage, willDelay);
            } catch (PersistenceException e) {
                log.error("client {}: could not record its disconnection in the store: {}", LogSafe.escape(clientId),
                        e.getMessage());
            }
        }
        broker.metrics().clientDisconnected();
        broker.plugins().disconnected(identity, closeReason == null ? "connection closed by client" : closeReason);
        log.info("client {} disconnected from {} ({}): {}", LogSafe.escape(clientId), remoteAddress(), version,
                closeReason == null ? "connection closed by client" : LogSafe.escape(closeReason));
    }

    // ------------------------------------------------------------------ packets

    private void onMessage(MqttMessage message) {
        switch (state) {
            case CLOSED -> {
                return;
            }
            case AWAITING_CONNECT -> {
                if (message instanceof Connect connect) {
                    version = connect.version();
                    problemInformation = !Integer.valueOf(0)
                            .equals(connect.properties().getInt(PropertyId.REQUEST_PROBLEM_INFORMATION));
                    connectFlow.onConnect(connect);
                } else {
                    protocolViolation("first packet must be CONNECT, got " + message.type() + " [MQTT-3.1.0-1]");
                }
                return;
            }
            case CONNECTING -> {
                if (message instanceof Auth auth) {
                    connectFlow.onAuth(auth); // enhanced authentication in progress
                } else {
                    // the broker's decoder holds everything but AUTH until the CONNACK is out
                    closeWithReason(ReasonCode.UNSPECIFIED_ERROR, "internal error: a " + message.type()
                            + " reached the connection before the CONNACK");
                }
                return;
            }
            case CONNECTED -> dispatch(message);
        }
    }

    private void dispatch(MqttMessage message) {
        switch (message.type()) {
            case PUBLISH -> publishFlow().onPublish(this, session, (Publish) message);
            case PUBACK, PUBREC, PUBCOMP -> session.delivery().onReply(this, (PubReply) message);
            case PUBREL -> publishFlow().onPubRel(this, session, (PubReply) message);
            case SUBSCRIBE -> subscribeFlow().onSubscribe(this, session, (Subscribe) message);
            case UNSUBSCRIBE -> subscribeFlow().onUnsubscribe(this, session, (Unsubscribe) message);
            case PINGREQ -> write(PingResp.INSTANCE);
            case DISCONNECT -> onDisconnect((Disconnect) message);
            case AUTH -> {
                if (connectFlow != null) {
                    connectFlow.onAuth((Auth) message);
                } else { // [MQTT-4.12.0-5] the CONNECT named no method: as ConnectFlow answers it
                    closeWithReason(ReasonCode.PROTOCOL_ERROR, "AUTH with another authentication method");
                }
            }
            case CONNECT -> protocolViolation("second CONNECT on one connection [MQTT-3.1.0-2]");
            default -> protocolViolation(message.type() + " may not be sent by a client");
        }
    }

    private PublishFlow publishFlow() {
        if (publishFlow == null) {
            publishFlow = new PublishFlow(broker);
        }
        return publishFlow;
    }

    private SubscribeFlow subscribeFlow() {
        if (subscribeFlow == null) {
            subscribeFlow = new SubscribeFlow(broker);
        }
        return subscribeFlow;
    }

    private void onDecodeFailure(DecodeFailure failure) {
        if (failure.version() != null) {
            version = failure.version();
        }
        String reason = (failure.reasonCode() == ReasonCode.MALFORMED_PACKET ? "malformed " : "refused ")
                + (failure.packetType() == null ? "packet" : failure.packetType()) + ": " + failure.reason();
        if (state == State.AWAITING_CONNECT && failure.packetType() == PacketType.CONNECT) {
            if (version.isV5()) {
                refuseConnect(failure.reasonCode(), reason);
            } else if (failure.reasonCode() == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
                refuseConnect(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, reason); // [MQTT-3.1.2-2]
            } else {
                log.warn("closing connection from {} ({}): {}", remoteAddress(), version, reason);
                close(reason);
            }
            return;
        }
        if (state == State.CONNECTING) {
            refuseConnect(failure.reasonCode(), reason); // no CONNACK yet: it carries the reason
            return;
        }
        closeWithReason(failure.reasonCode(), reason);
    }

    /** ConnectFlow: the CONNECT is valid so far; reads pause until the session is ready. */
    void connecting(String assignedOrGivenClientId) {
        clientId = assignedOrGivenClientId;
        state = State.CONNECTING;
        updateAutoRead();
        startConnectTimer(); // now until the CONNACK
    }

    /**
     * ConnectFlow: the session is ours. Sends CONNACK, resumes the session, then lets the decoder decode
     * what the client sent behind its CONNECT [MQTT 3.1.4], with the listener's full packet size.
     */
    void connected(Session claimed, Connect connect, int keepAlive, long expirySeconds, ConnAck connAck) {
        session = claimed;
        will = connect.will();
        connectExpirySeconds = expirySeconds;
        Long maxPacket = connect.properties().getLong(PropertyId.MAXIMUM_PACKET_SIZE);
        clientMaxPacketSize = maxPacket == null ? 0 : maxPacket;
        Integer aliasMaximum = connect.properties().getInt(PropertyId.TOPIC_ALIAS_MAXIMUM);
        // absent or 0: the client takes no aliases [MQTT-3.1.2-27]; never above its maximum [MQTT-3.1.2-26]
        if (version.isV5() && outbound.topicAliases() && aliasMaximum != null && aliasMaximum > 0) {
            topicAliases = new TopicAliases(Math.min(aliasMaximum, outbound.topicAliasMaximum()));
        }
        Integer receiveMaximum = connect.properties().getInt(PropertyId.RECEIVE_MAXIMUM);
        session.attach(this, receiveMaximum == null ? 65535 : receiveMaximum, connAck.sessionPresent());
        state = State.CONNECTED;
        if (keepAlive > 0) {
            keepAliveSeconds = keepAlive;
            lastPacketNanos = ctx.executor().ticker().nanoTime();
            scheduleKeepAliveCheck(keepAlive * 1_500_000_000L); // 1.5 x keep-alive [MQTT-3.1.2-24]
        }
        broker.metrics().clientConnected();
        write(connAck);
        log.info("client {} connected from {} ({}, clean {}, keep-alive {} s, session expiry {}, session present {})",
                LogSafe.escape(clientId), remoteAddress(), version, connect.cleanSession(), keepAlive, expirySeconds,
                connAck.sessionPresent());
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null; // its task holds this connection: let it go with the timer's queue entry
        }
        session.resume();
        flush();
        updateAutoRead();
        MqttDecoder decoder = channel.pipeline().get(MqttDecoder.class);
        if (decoder != null) {
            decoder.connectAccepted(listener.maxPacketSize()); // dispatches the held packets, then flushes
        }
        channel.pipeline().fireUserEventTriggered(CONNECT_ACCEPTED);
    }

    /** ConnectFlow: a takeover continues this connection's session, and its will is not to be sent. */
    void discardWill() {
        will = null;
    }

    private void onDisconnect(Disconnect disconnect) {
        if (version.isV5()) {
            Long expiry = disconnect.properties().getLong(PropertyId.SESSION_EXPIRY_INTERVAL);
            if (expiry != null) {
                if (connectExpirySeconds == 0 && expiry != 0) {
                    protocolViolation("session expiry set on DISCONNECT after 0 on CONNECT [MQTT-3.14.2-2]");
                    return;
                }
                session.expirySeconds(broker.sessions().grantedExpiry(expiry)); // volantmq.maxSessionExpiry
            }
        }
        // [MQTT-3.14.4-3] a DISCONNECT discards the will; MQTT 5 reason 0x04 asks for it to be sent
        if (!(version.isV5() && disconnect.reasonCode() == ReasonCode.DISCONNECT_WITH_WILL)) {
            will = null;
        }
        close("client sent DISCONNECT" + (disconnect.reasonCode() == 0 ? "" : " " + disconnect.reasonCode()));
    }

    void protocolViolation(String reason) {
        closeWithReason(ReasonCode.PROTOCOL_ERROR, reason);
    }

    // ------------------------------------------------------------------ writing and closing

    /** CONNACK with an error, then close. 3.x clients get the nearest 3.x return code. */
    void refuseConnect(int reasonCode, String reason) {
        refuseConnect(reasonCode, reason, Properties.EMPTY);
    }

    /** As {@link #refuseConnect(int, String)}, with more CONNACK properties for MQTT 5 (e.g. Server Reference). */
    void refuseConnect(int reasonCode, String reason, Properties extra) {
        int code = version.isV5() ? reasonCode : ReasonCode.toV3ConnAck(reasonCode);
        if (reasonCode == ReasonCode.CONNECTION_RATE_EXCEEDED) {
            // an address blocked after failed logins: LoginLimiter logged the block once
            log.debug("refused connection from {} (client {}, {}): {}", remoteAddress(), LogSafe.escape(clientId),
                    version, LogSafe.escape(reason));
        } else {
            log.warn("refused connection from {} (client {}, {}): {}", remoteAddress(), LogSafe.escape(clientId),
                    version, LogSafe.escape(reason));
        }
        state = State.CLOSED;
        closeReason = reason;
        Properties.Builder builder = Properties.builder();
        if (version.isV5()) {
            extra.asList().forEach(p -> builder.add(p.id(), p.value()));
            if (problemInformation) {
                builder.add(PropertyId.REASON_STRING, reason);
            }
        }
        Properties properties = builder.build();
        channel.writeAndFlush(new ConnAck(false, code, properties)).addListener(ChannelFutureListener.CLOSE);
    }

    /** A Reason String property, unless the client asked for no problem information. */
    Properties reasonString(String reason) {
        return version.isV5() && problemInformation
                ? Properties.builder().add(PropertyId.REASON_STRING, reason).build() : Properties.EMPTY;
    }

    /** Closes after telling an MQTT 5 client why (DISCONNECT with a reason code); 3.x just closes. */
    void closeWithReason(int reasonCode, String reason) {
        if (state == State.CLOSED || !channel.isActive()) {
            return;
        }
        ChannelFuture told = null;
        if (state == State.CONNECTED && version.isV5()) {
            Properties properties = problemInformation
                    ? Properties.builder().add(PropertyId.REASON_STRING, reason).build() : Properties.EMPTY;
            told = channel.writeAndFlush(new Disconnect(reasonCode, properties));
        }
        log.warn("closing connection from {} (client {}, {}): {}", remoteAddress(), LogSafe.escape(clientId),
                version, LogSafe.escape(reason));
        if (told != null && channel instanceof DuplexChannel duplex && channel.pipeline().get(SslHandler.class) == null) {
            lingerClose(duplex, told, reason);
        } else {
            close(reason);
        }
    }

    /**
     * Ends the connection now (its session is left, nothing it sends is handled any more) but closes only
     * the sending half of the socket once the DISCONNECT is written; what the client still sends meanwhile
     * (PUBACKs in flight, PINGREQs) is read and dropped until it closes, at most {@link #CLOSE_LINGER_MILLIS}.
     * A socket closed with unread input is answered with a TCP reset, and a reset makes the client's
     * system discard what it has not read yet, the DISCONNECT among it: the client would never learn why.
     * TLS keeps the plain close (its close_notify must follow the DISCONNECT through the TLS layer).
     */
    private void lingerClose(DuplexChannel duplex, ChannelFuture told, String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        channel.flush();
        endConnection();
        told.addListener(written -> {
            if (written.isSuccess() && channel.isActive()) {
                duplex.shutdownOutput();
            }
        });
        channel.config().setAutoRead(true);
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    void close(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        // replies to the packets read before this one in the same read (PUBACK, SUBACK, PINGRESP) are
        // written but flushed only at the read's end: send them, or the close fails and drops them
        channel.flush();
        channel.close();
    }

    /** Every PUBLISH passes here in wire order, so the alias table matches what the client has seen. */
    void write(MqttMessage message) {
        if (topicAliases != null && message instanceof Publish publish) {
            message = topicAliases.apply(publish, this::fits);
        }
        encode(message);
    }

    /**
     * Packets written into the channel (they start at the tail, so they pass here) and this connection's own
     * ({@link #encode}): counted, then encoded for the stages in front.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        TrafficMetricsHandler.countOutbound(broker.metrics(), ctx, msg);
        MqttEncoder.INSTANCE.write(ctx, msg, promise);
    }

    /** A packet of this connection's own: {@code ctx.write} would pass this stage by, so it encodes here. */
    private void encode(Object message) {
        ChannelPromise promise = ctx.voidPromise();
        try {
            write(ctx, message, promise);
        } catch (Throwable t) {
            promise.tryFailure(t); // as the pipeline does for a stage's failed write: the void promise reports it
        }
    }

    /**
     * A QoS 0 PUBLISH other connections may send too: their shared bytes, unless a topic alias makes
     * this connection's packet its own.
     */
    private void writeShared(SharedPublish shared) {
        Publish publish = shared.publish();
        if (topicAliases != null) {
            Publish aliased = topicAliases.apply(publish, this::fits);
            if (aliased != publish) {
                encode(aliased);
                return;
            }
        }
        encode(shared.retainedPacket(version, ctx.alloc()));
    }

    void flush() {
        ctx.flush();
    }

    /**
     * Writes a packet that confirms store changes (PUBACK, PUBREC, PUBCOMP, a QoS 2 delivery, PUBREL)
     * once those changes are durable. With a group-commit store the packets of one event-loop turn
     * wait together for the next sync, in order; otherwise they go out at once.
     */
    void writeWhenDurable(MqttMessage message) {
        if (broker.lanes() != null) {
            laneBatch().acks.add(message); // after this turn's store work, in order, once it is durable
            return;
        }
        GroupCommit commit = broker.groupCommit();
        if (commit == null) {
            write(message);
            return;
        }
        if (awaitingSync == null) {
            awaitingSync = new ArrayList<>();
            // ask once this turn has made all its changes: one request for all its packets
            channel.eventLoop().execute(() -> requestSync(commit));
        }
        awaitingSync.add(message);
    }

    /**
     * Whether nothing of this connection is on its way through a store lane: no store work or acknowledgement
     * queued this turn, no batch handed over and not yet done. Only with lanes (false without: there the
     * acknowledgements wait for a group commit this connection does not track).
     */
    boolean laneIdle() {
        return broker.lanes() != null && laneBatch == null && laneBatchesPending == 0;
    }

    /**
     * Where a flow runs the store changes that this turn's {@link #writeWhenDurable} packets confirm: the
     * client's store lane when the broker has lanes (the event loop goes on), else at once.
     */
    Executor storeWork() {
        if (broker.lanes() == null) {
            return INLINE;
        }
        if (laneWork == null) {
            laneWork = work -> laneBatch().work.add(work);
        }
        return laneWork;
    }

    /** Where a durable queue is read for delivery, off the event loop; null when reads stay on it (no lanes). */
    Executor storeReader() {
        return broker.lanes() == null ? null : broker.lanes().readers();
    }

    /**
     * Where a flow runs store changes that need no sync, as a lost one only repeats a delivery (the
     * removal of acknowledged queue entries): the client's store lane when the broker has lanes,
     * after this turn's other store work, else at once.
     */
    Executor storeWorkUnsynced() {
        if (broker.lanes() == null) {
            return INLINE;
        }
        if (laneWorkUnsynced == null) {
            laneWorkUnsynced = work -> laneBatch().unsynced.add(work);
        }
        return laneWorkUnsynced;
    }

    private LaneBatch laneBatch() {
        if (laneBatch == null) {
            laneBatch = new LaneBatch(channel.eventLoop());
            // hand over once this turn has queued all its work: one batch for all its packets
            channel.eventLoop().execute(this::handToLane);
        }
        return laneBatch;
    }

    private void handToLane() {
        LaneBatch batch = laneBatch;
        laneBatch = null;
        StoreLane lane = broker.lanes().lane(clientId);
        laneBatchesPending++;
        if (lane.submit(batch) && !awaitingStore) {
            awaitingStore = true; // back-pressure: the lane is full, stop reading until our work is done
            updateAutoRead();
        }
    }

    private void laneDone(LaneBatch batch, boolean durable) {
        laneBatchesPending--;
        if (awaitingStore && laneBatchesPending == 0) {
            awaitingStore = false;
            updateAutoRead();
        }
        if (!batch.acks.isEmpty()) {
            releaseSynced(batch.acks, durable);
        } else if (!durable) {
            log.warn("store changes of client {} failed (nothing to acknowledge)", LogSafe.escape(clientId));
        }
    }

    /** One turn's store work and the packets that confirm it; run and synced on the client's store lane. */
    private final class LaneBatch implements StoreLane.Batch {
        private final List<Runnable> work = new ArrayList<>(2);
        private final List<MqttMessage> acks = new ArrayList<>(2);
        private final List<Runnable> unsynced = new ArrayList<>(1);
        private final EventLoop loop;

        LaneBatch(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public void run() {
            for (Runnable change : work) {
                change.run();
            }
            for (Runnable change : unsynced) {
                change.run();
            }
        }

        @Override
        public int size() {
            return Math.max(1, work.size() + acks.size() + unsynced.size());
        }

        @Override
        public boolean needsSync() {
            return !work.isEmpty() || !acks.isEmpty();
        }

        @Override
        public void done(boolean durable) {
            loop.execute(() -> laneDone(this, durable));
        }
    }

    private void requestSync(GroupCommit commit) {
        List<MqttMessage> batch = awaitingSync;
        awaitingSync = null;
        EventLoop loop = channel.eventLoop();
        commit.afterSync(durable -> loop.execute(() -> releaseSynced(batch, durable)));
    }

    private void releaseSynced(List<MqttMessage> batch, boolean durable) {
        if (state != State.CONNECTED) {
            return; // nothing acknowledged: the client sends its unacknowledged packets again
        }
        if (!broker.sessions().cluster().mayAct()) {
            // woken from a freeze (or cut off): the session may have moved, and its new owner resends these
            closeWithReason(ReasonCode.UNSPECIFIED_ERROR, "this node lost the cluster registry");
            return;
        }
        if (!durable && !(version.isV5() && refuseAcknowledgements(batch))) {
            // 3.x cannot refuse a PUBLISH, deliveries must wait, and a QoS 2 PUBLISH may have been applied
            // although the sync failed (a WAIT shortfall, a lost EXEC reply): the client reconnects and
            // resends it with DUP=1, and the resumed session reads its inbound QoS 2 ids from the store again
            // (there if the write was applied: not routed twice; absent if not: routed as new)
            closeWithReason(ReasonCode.UNSPECIFIED_ERROR, "store sync failed: " + batch.size()
                    + " packets not acknowledged");
            return;
        }
        for (MqttMessage message : batch) {
            write(message);
        }
        flush();
    }

    /**
     * MQTT 5, a sync failed and the batch holds only PUBACKs and refused PUBRECs: each success becomes
     * 0x80 Unspecified error, so the publisher knows and the connection stays. False otherwise, also for a
     * successful PUBREC: a refused one would end the exchange and the client would send the message again
     * as new, while its write may have been applied.
     */
    private boolean refuseAcknowledgements(List<MqttMessage> batch) {
        for (MqttMessage message : batch) {
            if (!(message instanceof PubReply reply && (reply.type() == PacketType.PUBACK
                    || reply.type() == PacketType.PUBREC && ReasonCode.isError(reply.reasonCode())))) {
                return false;
            }
        }
        int refused = 0;
        for (int i = 0; i < batch.size(); i++) {
            PubReply reply = (PubReply) batch.get(i);
            if (!ReasonCode.isError(reply.reasonCode())) {
                batch.set(i, new PubReply(reply.type(), reply.packetId(), ReasonCode.UNSPECIFIED_ERROR,
                        reasonString("store sync failed")));
                refused++;
            }
        }
        log.warn("not acknowledging {} messages from {}: the store sync failed", refused, LogSafe.escape(clientId));
        return true;
    }

    void writeAndFlush(MqttMessage message) {
        encode(message);
        ctx.flush();
    }

    /**
     * Back-pressure on a publisher: a queue it feeds is filling faster than its subscriber drains
     * it, so reading from this client pauses briefly instead of letting the queue overflow.
     */
    void throttle() {
        if (throttled || state != State.CONNECTED) {
            return;
        }
        throttled = true;
        updateAutoRead();
        channel.eventLoop().schedule(() -> {
            throttled = false;
            updateAutoRead();
        }, THROTTLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Back-pressure across nodes (event loop): a message of this publisher went to another node whose inbox is
     * over its high-water mark; reading stops until {@code caughtUp} completes (that node drained to its low-water
     * mark, or left the cluster). What the client sent meanwhile waits in the socket, as for a slow subscriber on
     * one node, or, read along with a PINGREQ (see {@link #peekWhileBacklogged}), in {@link #held}.
     */
    void pauseUntil(java.util.concurrent.CompletionStage<Void> caughtUp) {
        if (awaitingBacklog || state != State.CONNECTED) {
            return; // already waiting: once it resumes, the next message to a node still behind pauses it again
        }
        awaitingBacklog = true;
        int pause = ++backlogPause;
        updateAutoRead();
        if (keepAliveSeconds > 0) {
            scheduleBacklogPeek(pause);
        }
        caughtUp.whenComplete((ignored, error) -> channel.eventLoop().execute(() -> {
            awaitingBacklog = false;
            if (state == State.CLOSED) {
                held = null;
                return;
            }
            if (keepAliveSeconds > 0) {
                lastPacketNanos = ctx.executor().ticker().nanoTime(); // the silence was ours, not the client's
            }
            handleHeld(); // a held PUBLISH to a node still behind pauses it again
        }));
    }

    private void scheduleBacklogPeek(int pause) {
        ctx.executor().schedule(() -> peekWhileBacklogged(pause), Math.max(500, keepAliveSeconds * 500L),
                TimeUnit.MILLISECONDS);
    }

    /**
     * While paused for another node, one read every half keep-alive: the client's PINGREQ waits in the socket
     * behind what it sent, and a client answered no PINGRESP for its keep-alive gives the connection up. The
     * PINGREQ is answered, everything else read with it is held until the pause ends (at most
     * {@link #MAX_HELD_WHILE_BEHIND} packets: then reads wait for the end of the pause).
     */
    private void peekWhileBacklogged(int pause) {
        if (!awaitingBacklog || pause != backlogPause || state != State.CONNECTED) {
            return; // that pause ended (a later one has its own peeks)
        }
        if (readable() && (held == null || held.size() < MAX_HELD_WHILE_BEHIND)) {
            channel.read();
        }
        scheduleBacklogPeek(pause);
    }

    /** Reads are paused while connecting; this lets the next packets in (the client's AUTH). */
    void readOnce() {
        channel.read();
    }

    boolean writable() {
        return channel.isWritable();
    }

    /** True unless the packet exceeds the client's MQTT 5 Maximum Packet Size (then it is counted). */
    boolean fitsClient(MqttMessage message) {
        if (fits(message)) {
            return true;
        }
        broker.metrics().messageOversize();
        log.debug("not sending a {} to {}: larger than its maximum packet size {}", message.type(),
                LogSafe.escape(clientId), clientMaxPacketSize);
        return false;
    }

    private boolean fits(MqttMessage message) {
        return clientMaxPacketSize == 0 || MqttCodec.encodedSize(message, version) <= clientMaxPacketSize;
    }

    /**
     * Writes a QoS 0 message from any thread; flushes are coalesced to one per event-loop turn. A
     * connection over its write-buffer high-water mark drops it (counted): QoS 0 to a slow consumer
     * must not grow the heap without bound, nor hold up the publisher and the other subscribers.
     */
    void writeFromAnyThread(SharedPublish message) {
        if (!channel.isWritable()) {
            broker.metrics().messageSlowConsumer();
            return;
        }
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            writeCoalesced(message);
            return;
        }
        message.retain(); // until that loop has written it
        try {
            loop.execute(() -> {
                try {
                    writeCoalesced(message);
                } finally {
                    message.release();
                }
            });
        } catch (RejectedExecutionException e) { // the loop is shutting down
            message.release();
            throw e;
        }
    }

    private void writeCoalesced(SharedPublish message) {
        if (state != State.CONNECTED || !fitsClient(message.publish())) {
            return;
        }
        writeShared(message);
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(() -> {
                flushScheduled = false;
                flush();
            });
        }
    }
}
