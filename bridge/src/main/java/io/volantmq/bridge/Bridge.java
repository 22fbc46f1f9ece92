package io.volantmq.bridge;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.BrokerContext;
import io.volantmq.broker.LogSafe;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.codec.DecodeFailure;
import io.volantmq.broker.codec.SharedPublish;
import io.volantmq.broker.store.MessagePropertiesCodec;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.routing.Recipient;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.broker.store.GroupCommit;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueuedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One bridge. Outbound, it is a recipient of the local router under the reserved client id
 * {@code $bridge/<name>}: matching QoS 1/2 messages are queued in the store like for any persistent
 * session (so before the local publisher's PUBACK, and durably on a durable backend); the bridge reads
 * that queue in order, sends within an in-flight window, records the remote packet id in the store
 * (so a restart re-sends the same id with DUP, and resumes PUBREL), and removes an entry only when the
 * remote acknowledged it. Inbound, it subscribes on the remote and publishes what arrives through the
 * local router as the broker does (no ACL), with the bridge as origin, so its own out rules never
 * send it back (no local).
 *
 * <p>Confinement: all connection and window state lives on {@link #loop}; {@link #notifyQueued} and
 * {@link #sendDirect} hop onto it.
 */
final class Bridge implements Recipient {
    private static final Logger log = LoggerFactory.getLogger(Bridge.class);
    private static final int READ_BATCH = 64;
    /** Outbound messages remembered to recognise their echo from a 3.1.1 remote (no "no local" there). */
    private static final int ECHO_MEMORY = 4096;
    /** QoS 0 messages waiting for the link's writability before newer ones are dropped. */
    private static final int DIRECT_MAX = 10_000;

    private final BridgeConfig config;
    private final BrokerContext context;
    private final MessageStore messages;
    private final MessagePropertiesCodec codec;
    private final GroupCommit groupCommit;
    private final EventLoop loop;
    private final SslContext ssl;
    private final String localId;
    private final int maxPacketSize;
    private final BridgeStats stats = new BridgeStats();
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    /** QoS 0 messages handed over by the router, at most {@link #DIRECT_MAX}. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Publish> direct = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger directSize = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicBoolean directScheduled = new AtomicBoolean();

    // ---- owned by the loop
    private Channel channel;
    private boolean connected;
    private boolean closed;
    private int addressIndex;
    private int attempt;
    private int window;
    private long remoteMaxPacket = Long.MAX_VALUE;
    private long cursor;
    private int nextPacketId = 1;
    private boolean pumpAfterRead;
    private final Map<Integer, Long> inflight = new LinkedHashMap<>();
    private final Set<Integer> incomingQos2 = new HashSet<>();
    /** Fingerprints of what went out on a {@code both} rule to a 3.1.1 remote, with how often. */
    private final Map<String, Integer> echoes = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > ECHO_MEMORY;
        }
    };

    Bridge(BridgeConfig config, BrokerContext context, EventLoop loop, SslContext ssl) {
        this.config = config;
        this.context = context;
        this.messages = context.store().messages();
        this.codec = context.messageCodec();
        this.groupCommit = context.groupCommit();
        this.loop = loop;
        this.ssl = ssl;
        this.localId = config.localClientId();
        this.maxPacketSize = io.volantmq.broker.auth.Settings.global(context.config().settings())
                .integer("maxPacketSize", 16 * 1024 * 1024, 16, 268_435_460);
    }

    String name() {
        return config.name();
    }

    BridgeStats stats() {
        return stats;
    }

    /** Registers the queue and the out rules locally, then connects. */
    void start() {
        incomingQos2.addAll(messages.incomingQos2(localId));
        BridgeConfig.Queue queue = config.queue();
        if (queue != null) {
            stats.dropped = context.router().limits().bound(localId, queue.maxMessages(), queue.maxBytes(),
                    queue.dropPolicy().equals("newest") ? BrokerConfig.DropPolicy.NEWEST : BrokerConfig.DropPolicy.OLDEST);
        }
        context.sessions().registerInternal(localId, this);
        for (TopicRule rule : config.rules()) {
            if (rule.direction().out()) {
                // no local: what the bridge brought in is not sent back out [MQTT-3.8.3-3]
                context.tree().subscribe(localId, rule.localFilter(),
                        SubscriptionOptions.of(rule.localFilter(), true, rule.qos(), true, true, 0));
            }
        }
        QueueStats queued = messages.stats(localId);
        if (queued.messages() > 0) {
            log.info("bridge {}: {} messages queued from before the restart", config.name(), queued.messages());
        }
        loop.execute(this::connectSafely);
    }

    void close() {
        for (TopicRule rule : config.rules()) {
            if (rule.direction().out()) {
                context.tree().unsubscribe(localId, rule.localFilter(),
                        SubscriptionOptions.of(rule.localFilter(), true, rule.qos(), true, true, 0));
            }
        }
        context.sessions().unregisterInternal(localId);
        loop.submit(() -> {
            closed = true;
            if (channel != null) {
                if (connected) {
                    channel.writeAndFlush(config.protocol().isV5() ? Disconnect.NORMAL
                            : new Disconnect(ReasonCode.SUCCESS, Properties.EMPTY));
                }
                channel.close();
            }
        }).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    // ------------------------------------------------------------------ Recipient (router side)

    /** Always "online": QoS 0 goes straight out while connected, QoS 1/2 to the queue. */
    @Override
    public boolean online() {
        return true;
    }

    /** Null: nothing the ACL says about clients applies to the broker's own bridge. */
    @Override
    public ClientIdentity identity() {
        return null;
    }

    @Override
    public boolean persistent() {
        return true;
    }

    /**
     * QoS 0 goes out while the link is up, through a bounded hand-over queue drained on the loop (one
     * flush per batch); beyond {@link #DIRECT_MAX} waiting, or while the link is down, it is dropped and
     * counted: QoS 0 is never queued in the store.
     */
    @Override
    public boolean sendDirect(SharedPublish shared) {
        Publish publish = shared.publish(); // the link writes its own packets: the decoded form is all it keeps
        if (directSize.incrementAndGet() > DIRECT_MAX) {
            directSize.decrementAndGet();
            stats.droppedQos0.increment();
            return true;
        }
        direct.add(publish);
        if (directScheduled.compareAndSet(false, true)) {
            loop.execute(this::drainDirect);
        }
        return true;
    }

    private void drainDirect() {
        directScheduled.set(false);
        Channel ch = channel;
        boolean up = connected && ch != null;
        int written = 0;
        Publish p;
        while ((!up || ch.isWritable()) && (p = direct.poll()) != null) {
            directSize.decrementAndGet();
            Publish out = up ? outbound(p.topic(), p, 0, 0, false) : null;
            if (out != null && fits(out)) {
                ch.write(out);
                stats.sent.increment();
                if (++written % READ_BATCH == 0) {
                    ch.flush();
                }
            } else {
                stats.droppedQos0.increment();
            }
        }
        if (written > 0) {
            ch.flush();
        }
        // the rest waits for writability (channelWritabilityChanged drains again)
    }

    @Override
    public void notifyQueued() {
        if (pumpScheduled.compareAndSet(false, true)) {
            loop.execute(() -> {
                pumpScheduled.set(false);
                pump();
            });
        }
    }

    // ------------------------------------------------------------------ connection

    /** Whatever goes wrong while connecting, the bridge tries again: a task that throws is not run again. */
    private void connectSafely() {
        try {
            connect();
        } catch (Throwable e) {
            channel = null;
            failed("connecting failed: " + e);
        }
    }

    private void connect() {
        if (closed) {
            return;
        }
        URI address = config.addresses().get(addressIndex);
        stats.address = address.toString();
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutSeconds() * 1000)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        RemotePipeline.build(ch.pipeline(), address, ssl, config.tls(), maxPacketSize);
                        ch.pipeline().addLast(new IdleStateHandler(config.keepAlive() * 3L / 2, config.keepAlive(), 0,
                                TimeUnit.SECONDS));
                        ch.pipeline().addLast(new Handler());
                    }
                });
        ChannelFuture f = b.connect(address.getHost(), address.getPort());
        channel = f.channel();
        f.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                failed("connect to " + address + " failed: " + done.cause().getMessage());
            }
        });
    }

    /** The link is down (or never came up): note why, then try again later, the next address first. */
    private void failed(String why) {
        if (why != null) {
            stats.lastError = why;
            stats.lastErrorAt = System.currentTimeMillis();
            log.warn("bridge {}: {}", config.name(), LogSafe.escape(why));
        }
        stats.subscribed = false;
        if (connected) {
            connected = false;
            stats.connected = false;
            log.info("bridge {}: disconnected from {}", config.name(), stats.address);
        }
        inflight.clear(); // they stay SENT/RELEASED in the store and go again, same ids, after reconnecting
        channel = null;
        if (closed) {
            return;
        }
        addressIndex = (addressIndex + 1) % config.addresses().size();
        // a full round over the addresses failed: wait longer before the next one
        long base = Math.min(config.reconnectMaxMillis(),
                config.reconnectMinMillis() << Math.min(20, attempt / config.addresses().size()));
        attempt++;
        long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1); // jitter: not all sites at once
        stats.reconnects.increment();
        loop.schedule((Runnable) this::connectSafely, delay, TimeUnit.MILLISECONDS);
    }

    private Connect connectPacket() {
        Properties props = Properties.EMPTY;
        if (config.protocol().isV5()) {
            props = Properties.builder()
                    .add(PropertyId.SESSION_EXPIRY_INTERVAL, config.sessionExpiry())
                    .add(PropertyId.RECEIVE_MAXIMUM, 64)
                    .add(PropertyId.MAXIMUM_PACKET_SIZE, (long) maxPacketSize)
                    .build();
        }
        byte[] password = config.password() == null ? null : config.password().getBytes(StandardCharsets.UTF_8);
        return new Connect(config.protocol(), config.clientId(), config.cleanStart(), config.keepAlive(),
                config.username(), password, null, props);
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == RemotePipeline.READY) {
                ctx.writeAndFlush(connectPacket());
            } else if (evt instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.READER_IDLE) {
                    // nothing from the remote for 1.5 keep-alives, not even PINGRESP: a dead or paused peer
                    failedOnce(ctx.channel(), "no answer from " + stats.address + " for "
                            + (config.keepAlive() * 3 / 2) + " s");
                    ctx.close();
                } else if (idle.state() == IdleState.WRITER_IDLE && connected) {
                    ctx.writeAndFlush(PingReq.INSTANCE);
                }
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (ctx.channel() != channel) {
                return;
            }
            if (msg instanceof DecodeFailure failure) {
                failedOnce(ctx.channel(), "malformed packet from " + stats.address + ": " + failure);
                ctx.close();
                return;
            }
            try {
                onPacket(ctx.channel(), (MqttMessage) msg);
            } catch (PersistenceException e) {
                // the remote will re-send what it did not get an acknowledgement for
                failedOnce(ctx.channel(), "store failed: " + e.getMessage());
                ctx.close();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (pumpAfterRead && ctx.channel() == channel) {
                pumpAfterRead = false;
                pump();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                drainDirect();
                pump();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failedOnce(ctx.channel(), "link to " + stats.address + " failed: " + cause.getMessage());
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failedOnce(ctx.channel(), connected ? "connection to " + stats.address + " closed" : null);
        }
    }

    /** Reacts once per channel (an error and the close that follows both come here). */
    private void failedOnce(Channel which, String why) {
        if (which == channel) {
            if (!connected && why == null) {
                why = "connection to " + stats.address + " closed before CONNACK";
            }
            failed(why);
        }
    }

    private void onPacket(Channel ch, MqttMessage msg) {
        switch (msg.type()) {
            case CONNACK -> onConnAck(ch, (ConnAck) msg);
            case PUBLISH -> onPublish(ch, (Publish) msg);
            case PUBACK, PUBCOMP -> onDelivered((PubReply) msg);
            case PUBREC -> onPubRec(ch, (PubReply) msg);
            case PUBREL -> onPubRel(ch, (PubReply) msg);
            case SUBACK -> onSubAck((SubAck) msg);
            case DISCONNECT -> {
                failedOnce(ch, "remote " + stats.address + " sent DISCONNECT " + msg);
                ch.close();
            }
            default -> {
                // PINGRESP: the idle handler saw the read
            }
        }
    }

    private void onConnAck(Channel ch, ConnAck ack) {
        if (ack.reasonCode() != ReasonCode.SUCCESS) {
            failedOnce(ch, "remote " + stats.address + " refused the connection: reason 0x"
                    + Integer.toHexString(ack.reasonCode()));
            ch.close();
            return;
        }
        Integer receiveMaximum = ack.properties().getInt(PropertyId.RECEIVE_MAXIMUM);
        window = Math.min(config.inflight(), receiveMaximum == null ? 65_535 : receiveMaximum);
        Long maxPacket = ack.properties().getLong(PropertyId.MAXIMUM_PACKET_SIZE);
        remoteMaxPacket = maxPacket == null ? Long.MAX_VALUE : maxPacket;
        connected = true;
        attempt = 0;
        stats.connected = true;
        stats.connectedSince = System.currentTimeMillis();
        log.info("bridge {}: connected to {} as {} (session present: {}, window {})", config.name(), stats.address,
                LogSafe.escape(config.clientId()), ack.sessionPresent(), window);
        List<Subscription> subs = new ArrayList<>();
        for (TopicRule rule : config.rules()) {
            if (rule.direction().in()) {
                // MQTT 5: no local keeps what we publish there from coming back [MQTT-3.8.3-3]
                subs.add(new Subscription(rule.remoteFilter(), rule.qos(), config.protocol().isV5(), true, 0));
            }
        }
        if (!subs.isEmpty()) {
            ch.write(new Subscribe(1, subs, Properties.EMPTY));
        } else {
            stats.subscribed = true;
        }
        cursor = 0;
        inflight.clear();
        pump();
        ch.flush();
    }

    private void onSubAck(SubAck ack) {
        stats.subscribed = true;
        for (int code : ack.reasonCodes()) {
            if (code >= 0x80) {
                stats.lastError = "remote " + stats.address + " refused a subscription: " + ack.reasonCodes();
                stats.lastErrorAt = System.currentTimeMillis();
                log.warn("bridge {}: {}", config.name(), stats.lastError);
                return;
            }
        }
    }

    // ------------------------------------------------------------------ outbound

    /** Sends queued messages while the window and the channel allow. On the loop. */
    private void pump() {
        if (!connected || channel == null) {
            return;
        }
        Channel ch = channel;
        try {
            pump(ch);
        } catch (PersistenceException e) {
            log.warn("bridge {}: reading its queue failed, trying again in a second: {}", config.name(),
                    e.getMessage());
            loop.schedule((Runnable) this::pump, 1, TimeUnit.SECONDS);
        }
    }

    private void pump(Channel ch) {
        long now = System.currentTimeMillis();
        List<MqttMessage> out = new ArrayList<>();
        boolean needsSync = false;
        while (ch.isWritable() && inflight.size() < window && out.size() < 4 * READ_BATCH) {
            List<QueuedMessage> batch = messages.read(localId, cursor, Math.min(READ_BATCH, window - inflight.size()));
            if (batch.isEmpty()) {
                break;
            }
            for (QueuedMessage entry : batch) {
                cursor = entry.seq();
                if (entry.state() == InflightState.QUEUED && entry.message().expired(now)) {
                    messages.remove(localId, entry.seq()); // expired while queued [MQTT-3.3.2-5]
                    stats.expired.increment();
                    continue;
                }
                MqttMessage packet = packetFor(entry, now);
                if (packet != null) {
                    out.add(packet);
                    needsSync |= entry.qos() == 2 && entry.state() == InflightState.QUEUED;
                }
            }
        }
        if (out.isEmpty()) {
            return;
        }
        if (needsSync && groupCommit != null) {
            // a QoS 2 PUBLISH goes out only once its packet id is durable: after a crash the remote must
            // see the same id again, or it would take it as a new message
            groupCommit.afterSync(durable -> loop.execute(() -> {
                if (ch == channel && connected) {
                    out.forEach(ch::write);
                    ch.flush();
                }
            }));
        } else {
            out.forEach(ch::write);
            ch.flush();
        }
    }

    /** The packet for a queue entry, its state recorded in the store; null when it was dropped. */
    private MqttMessage packetFor(QueuedMessage entry, long now) {
        switch (entry.state()) {
            case QUEUED -> {
                int qos = entry.qos();
                int packetId = qos == 0 ? 0 : freePacketId();
                Publish publish = outbound(entry.message().topic(),
                        codec.toPublish(entry, qos, packetId, false, entry.retain(), now), qos, packetId, false);
                if (publish == null || !fits(publish)) {
                    messages.remove(localId, entry.seq());
                    stats.failed.increment();
                    return null;
                }
                if (qos == 0) {
                    messages.remove(localId, entry.seq());
                    stats.sent.increment();
                } else {
                    inflight.put(packetId, entry.seq());
                    messages.updateInflight(localId, entry.seq(), packetId, InflightState.SENT);
                }
                return publish;
            }
            case SENT -> {
                inflight.put(entry.packetId(), entry.seq());
                stats.resent.increment();
                return outbound(entry.message().topic(),
                        codec.toPublish(entry, entry.qos(), entry.packetId(), true, entry.retain(), now),
                        entry.qos(), entry.packetId(), true);
            }
            default -> { // RELEASED: the remote has it; finish the QoS 2 exchange
                inflight.put(entry.packetId(), entry.seq());
                return PubReply.of(PacketType.PUBREL, entry.packetId());
            }
        }
    }

    /** The PUBLISH for the remote: topic remapped by the first matching out rule; null when none matches. */
    private Publish outbound(String localTopic, Publish p, int qos, int packetId, boolean dup) {
        String remote = null;
        TopicRule matched = null;
        for (TopicRule rule : config.rules()) {
            remote = rule.toRemote(localTopic);
            if (remote != null) {
                matched = rule;
                break;
            }
        }
        if (remote == null) {
            return null;
        }
        Properties props = config.protocol().isV5()
                ? p.properties().without(PropertyId.SUBSCRIPTION_IDENTIFIER).without(PropertyId.TOPIC_ALIAS)
                : Properties.EMPTY;
        if (!config.protocol().isV5() && matched.direction() == TopicRule.Direction.BOTH) {
            echoes.merge(fingerprint(remote, p.payload()), 1, Integer::sum);
        }
        return new Publish(remote, qos, p.retain(), dup, packetId, p.payload(), props);
    }

    private boolean fits(Publish publish) {
        return remoteMaxPacket == Long.MAX_VALUE
                || MqttCodec.encodedSize(publish, config.protocol()) <= remoteMaxPacket; // [MQTT-3.1.2-25]
    }

    /**
     * A packet id not in flight. Messages are sent in queue order, so the entries in flight (SENT or
     * RELEASED, also those restored after a restart) come before every QUEUED one: when a QUEUED entry
     * is read, all of them have been read into {@link #inflight} already.
     */
    private int freePacketId() {
        int id = nextPacketId;
        while (inflight.containsKey(id)) {
            id = id == 0xFFFF ? 1 : id + 1;
        }
        nextPacketId = id == 0xFFFF ? 1 : id + 1;
        return id;
    }

    /** PUBACK or PUBCOMP: the remote has it; only now does it leave the queue. */
    private void onDelivered(PubReply reply) {
        Long seq = inflight.remove(reply.packetId());
        if (seq == null) {
            return;
        }
        messages.remove(localId, seq);
        if (ReasonCode.isError(reply.reasonCode())) {
            stats.failed.increment();
            stats.lastError = "remote refused a message: reason 0x" + Integer.toHexString(reply.reasonCode());
            stats.lastErrorAt = System.currentTimeMillis();
        } else {
            stats.sent.increment();
        }
        pumpAfterRead = true; // refilled once per read batch: one store read and one flush for many acks
    }

    private void onPubRec(Channel ch, PubReply rec) {
        Long seq = inflight.get(rec.packetId());
        if (seq == null) {
            ch.writeAndFlush(new PubReply(PacketType.PUBREL, rec.packetId(),
                    config.protocol().isV5() ? ReasonCode.PACKET_IDENTIFIER_NOT_FOUND : ReasonCode.SUCCESS, null));
            return;
        }
        if (ReasonCode.isError(rec.reasonCode())) {
            onDelivered(rec); // the QoS 2 flow ends with an error PUBREC (5.0)
            return;
        }
        messages.updateInflight(localId, seq, rec.packetId(), InflightState.RELEASED);
        ch.writeAndFlush(PubReply.of(PacketType.PUBREL, rec.packetId()));
    }

    // ------------------------------------------------------------------ inbound

    private void onPublish(Channel ch, Publish p) {
        if (p.qos() == 2 && incomingQos2.contains(p.packetId())) {
            ch.writeAndFlush(PubReply.of(PacketType.PUBREC, p.packetId())); // a re-send before PUBREL
            return;
        }
        String local = null;
        for (TopicRule rule : config.rules()) {
            local = rule.toLocal(p.topic());
            if (local != null) {
                break;
            }
        }
        boolean echo = !config.protocol().isV5() && forgetEcho(fingerprint(p.topic(), p.payload()));
        if (local == null || echo) {
            if (echo) {
                stats.echoesDropped.increment();
            }
            acknowledge(ch, p);
            return;
        }
        if (p.qos() == 2) {
            incomingQos2.add(p.packetId());
            messages.addIncomingQos2(localId, p.packetId());
        }
        Properties props = p.properties().without(PropertyId.SUBSCRIPTION_IDENTIFIER).without(PropertyId.TOPIC_ALIAS);
        // as published here by the broker itself: no ACL, the bridge as origin (its out rules have no local)
        context.router().publish(localId, new Publish(local, p.qos(), p.retain(), false, 0, p.payload(), props));
        stats.received.increment();
        acknowledge(ch, p);
    }

    /** PUBACK / PUBREC once what was routed is durable: the remote forgets it on our word. */
    private void acknowledge(Channel ch, Publish p) {
        if (p.qos() == 0) {
            return;
        }
        PubReply reply = PubReply.of(p.qos() == 1 ? PacketType.PUBACK : PacketType.PUBREC, p.packetId());
        if (groupCommit == null) {
            ch.writeAndFlush(reply);
            return;
        }
        groupCommit.afterSync(durable -> loop.execute(() -> {
            if (durable) {
                ch.writeAndFlush(reply);
            } else {
                failedOnce(ch, "store could not make an inbound message durable; the remote will re-send it");
                ch.close();
            }
        }));
    }

    private void onPubRel(Channel ch, PubReply rel) {
        boolean known = incomingQos2.remove(rel.packetId());
        if (known) {
            messages.removeIncomingQos2(localId, rel.packetId());
        }
        ch.writeAndFlush(new PubReply(PacketType.PUBCOMP, rel.packetId(),
                known || !config.protocol().isV5() ? ReasonCode.SUCCESS : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, null));
    }

    /** True if this is the remote's copy of something we sent on a {@code both} rule (3.1.1 has no "no local"). */
    private boolean forgetEcho(String fingerprint) {
        Integer n = echoes.get(fingerprint);
        if (n == null) {
            return false;
        }
        if (n == 1) {
            echoes.remove(fingerprint);
        } else {
            echoes.put(fingerprint, n - 1);
        }
        return true;
    }

    private static String fingerprint(String topic, byte[] payload) {
        return topic + '\u0000' + payload.length + ':' + java.util.Arrays.hashCode(payload);
    }

    // ------------------------------------------------------------------ status

    /** The state for {@code GET /api/bridges} and {@code $SYS}. Any thread. */
    Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", config.name());
        m.put("connected", stats.connected);
        m.put("subscribed", stats.subscribed);
        m.put("address", stats.address);
        m.put("protocol", config.protocol().isV5() ? "5" : "3.1.1");
        QueueStats q;
        try {
            q = messages.stats(localId);
        } catch (PersistenceException e) {
            q = null;
        }
        m.put("queued", q == null ? -1 : q.messages());
        m.put("queuedBytes", q == null ? -1 : q.payloadBytes());
        m.put("sent", stats.sent.sum());
        m.put("received", stats.received.sum());
        m.put("resent", stats.resent.sum());
        m.put("failed", stats.failed.sum());
        m.put("expired", stats.expired.sum());
        m.put("dropped", stats.dropped == null ? null : stats.dropped.sum());
        m.put("droppedQos0", stats.droppedQos0.sum());
        m.put("reconnects", stats.reconnects.sum());
        m.put("lastError", stats.lastError);
        m.put("lastErrorAt", stats.lastErrorAt == 0 ? null : java.time.Instant.ofEpochMilli(stats.lastErrorAt).toString());
        return m;
    }

    /** Counters, written on the loop, read anywhere. */
    static final class BridgeStats {
        final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder received = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder resent = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder failed = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder expired = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder droppedQos0 = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder reconnects = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder echoesDropped = new java.util.concurrent.atomic.LongAdder();
        volatile boolean connected;
        /** Dropped because the bridge's own queue bound was reached; null without own bounds. */
        volatile java.util.concurrent.atomic.LongAdder dropped;
        /** The remote answered the SUBSCRIBE of the in rules (true at once when there are none). */
        volatile boolean subscribed;
        volatile String address;
        volatile String lastError;
        volatile long lastErrorAt;
        volatile long connectedSince;
    }
}
