package io.volantmq.broker.session;

import io.volantmq.broker.LogSafe;
import io.netty.channel.EventLoop;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.store.MessagePropertiesCodec;
import io.volantmq.broker.routing.Recipient;
import io.volantmq.broker.routing.Router;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.SessionState;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's session: its subscriptions, its outbound queue (kept in the store) and the inflight
 * window over it, and the inbound QoS 2 ids awaiting PUBREL.
 *
 * <p>Lifetime: the session expiry interval says how long it outlives its connection: 0 ends it with
 * the connection (3.x clean session), {@link SessionState#NEVER_EXPIRES} never (3.x persistent).
 *
 * <p>Confinement: while connected, every method except {@link #notifyQueued()} and
 * {@link #sendDirect} runs on the connection's event loop. A session moves to another loop only
 * when a new connection attaches, after the old connection has fully detached.
 */
public final class Session implements Recipient {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private static final int READ_BATCH = 64;

    private final String clientId;
    private final MessageStore messages;
    private final int maxInflight;
    private final MessagePropertiesCodec codec;
    private final AccessControl acl;
    private final BrokerMetrics metrics;
    /** filter -> options; mirrors the subscription tree so the session can leave it cleanly. */
    private final Map<String, SubscriptionOptions> subscriptions = new LinkedHashMap<>();

    /** Any shared subscription? Read by the housekeeping thread to skip sessions cheaply. */
    private volatile boolean hasShared;
    private volatile long expirySeconds;
    private volatile long disconnectedAtMillis;
    private volatile MqttConnection connection;
    private volatile ClientIdentity identity;
    /** The user name the session belongs to (see {@link SessionState#owner()}); set under the registry's monitor. */
    private volatile String owner;
    private volatile int protocolLevel = ProtocolVersion.MQTT_3_1_1.level();
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();

    // owned by the connection's event loop
    private final Map<Integer, Long> inflightByPacketId = new LinkedHashMap<>();
    /** When each inflight PUBLISH was (last) sent, for members of share groups that stop acknowledging. */
    private final Map<Integer, Long> sentAtByPacketId = new HashMap<>();
    private final Set<Integer> incomingQos2 = new HashSet<>();
    private long cursor;
    private int nextPacketId = 1;
    private int window;
    /** Acknowledgements freed window room during this read; pump once when the read is done. */
    private boolean pumpAfterRead;

    Session(String clientId, long expirySeconds, MessageStore messages, int maxInflight,
            MessagePropertiesCodec codec, AccessControl acl, BrokerMetrics metrics) {
        this.clientId = clientId;
        this.acl = acl;
        this.metrics = metrics;
        this.expirySeconds = expirySeconds;
        this.messages = messages;
        this.maxInflight = maxInflight;
        this.codec = codec;
        this.window = maxInflight;
    }

    public String clientId() {
        return clientId;
    }

    /** Outlives its connection (expiry interval above 0). */
    @Override
    public boolean persistent() {
        return expirySeconds != 0;
    }

    long expirySeconds() {
        return expirySeconds;
    }

    /** Set by CONNECT and by an MQTT 5 DISCONNECT [MQTT-3.14.2-2]. */
    void expirySeconds(long seconds) {
        expirySeconds = seconds;
    }

    String owner() {
        return owner;
    }

    void owner(String username) {
        owner = username;
    }

    /** A session restored from the store is offline since {@code disconnectedAt}. */
    void markRestored(long disconnectedAt) {
        disconnectedAtMillis = disconnectedAt;
    }

    long disconnectedAtMillis() {
        return disconnectedAtMillis;
    }

    /** Offline past its expiry interval. */
    boolean expired(long nowMillis) {
        return connection == null && disconnectedAtMillis != 0 && expirySeconds != SessionState.NEVER_EXPIRES
                && nowMillis >= disconnectedAtMillis + expirySeconds * 1000L;
    }

    @Override
    public boolean online() {
        return connection != null;
    }

    @Override
    public ClientIdentity identity() {
        return identity;
    }

    /** Protocol level of the last connection. */
    int protocolLevel() {
        return protocolLevel;
    }

    MqttConnection connection() {
        return connection;
    }

    Map<String, SubscriptionOptions> subscriptions() {
        return subscriptions;
    }

    /** Call after changing {@link #subscriptions()}. */
    void subscriptionsChanged() {
        hasShared = subscriptions.values().stream().anyMatch(SubscriptionOptions::shared);
    }

    boolean hasSharedSubscriptions() {
        return hasShared;
    }

    /**
     * Binds a new connection; the previous one (if any) has already detached. Runs on the new loop.
     *
     * @param clientReceiveMaximum how many QoS 1/2 messages the client takes unacknowledged (MQTT 5)
     * @param resumed              an existing session: its inbound QoS 2 ids are read from the store
     *                             (a new one has none, so a failing store does not stop it)
     * @throws io.volantmq.persistence.PersistenceException reading those ids failed; nothing changed
     */
    void attach(MqttConnection newConnection, int clientReceiveMaximum, boolean resumed) {
        assert newConnection.eventLoop().inEventLoop();
        Set<Integer> awaitingRelease = resumed ? messages.incomingQos2(clientId) : Set.of();
        inflightByPacketId.clear();
        incomingQos2.clear();
        incomingQos2.addAll(awaitingRelease);
        cursor = 0;
        window = Math.min(maxInflight, clientReceiveMaximum);
        protocolLevel = newConnection.version().level();
        identity = newConnection.identity();
        disconnectedAtMillis = 0;
        connection = newConnection;
    }

    /** Unbinds {@code old} if it is still the session's connection; false when another took over. */
    boolean detach(MqttConnection old) {
        if (connection != old) {
            return false;
        }
        disconnectedAtMillis = System.currentTimeMillis();
        connection = null;
        inflightByPacketId.clear();
        return true;
    }

    /** Re-sends what was inflight (DUP) and continues with the queue [MQTT-4.4.0-1]. */
    void resume() {
        pump();
    }

    // ------------------------------------------------------------------ inbound QoS 2

    /** True if this QoS 2 packet id is new (route it); false for a re-sent PUBLISH before PUBREL. */
    boolean acceptIncomingQos2(int packetId) {
        if (!incomingQos2.add(packetId)) {
            return false;
        }
        if (persistent()) {
            messages.addIncomingQos2(clientId, packetId);
        }
        return true;
    }

    /** True if this id is already awaiting PUBREL. */
    boolean hasIncomingQos2(int packetId) {
        return incomingQos2.contains(packetId);
    }

    /** Inbound QoS 2 messages awaiting PUBREL: what counts against the broker's Receive Maximum. */
    int incomingQos2Count() {
        return incomingQos2.size();
    }

    /** Undoes {@link #acceptIncomingQos2} when the message could not be routed (the client will resend it). */
    void forgetIncomingQos2(int packetId) {
        if (incomingQos2.remove(packetId) && persistent()) {
            try {
                messages.removeIncomingQos2(clientId, packetId);
            } catch (PersistenceException ignored) {
                // the store is failing already; the resent PUBLISH finds the id only after a restart
            }
        }
    }

    /** PUBREL: forget the id; false if it was unknown. */
    boolean releaseIncomingQos2(int packetId) {
        boolean known = incomingQos2.remove(packetId);
        if (known && persistent()) {
            messages.removeIncomingQos2(clientId, packetId);
        }
        return known;
    }

    // ------------------------------------------------------------------ outbound

    /** Called from any thread after messages were queued for this session: pump on its loop. */
    @Override
    public void notifyQueued() {
        MqttConnection c = connection;
        if (c != null && pumpScheduled.compareAndSet(false, true)) {
            c.eventLoop().execute(() -> {
                pumpScheduled.set(false);
                pump();
            });
        }
    }

    /** Sends a QoS 0 message that does not go through the queue; dropped when offline. Any thread. */
    @Override
    public boolean sendDirect(Publish publish) {
        MqttConnection c = connection;
        if (c == null) {
            return false;
        }
        c.writeFromAnyThread(publish);
        return true;
    }

    /** Sends queued messages while the inflight window and the channel allow; retries later if the store fails. */
    void pump() {
        MqttConnection c = connection;
        if (c == null) {
            return;
        }
        try {
            pump(c);
        } catch (PersistenceException e) {
            log.warn("delivery to {} paused for a second: {}", LogSafe.escape(clientId), e.getMessage());
            c.eventLoop().schedule((Runnable) this::pump, 1, TimeUnit.SECONDS);
        }
    }

    private void pump(MqttConnection c) {
        EventLoop loop = c.eventLoop();
        assert loop.inEventLoop();
        boolean wrote = false;
        long now = System.currentTimeMillis();
        while (c.writable() && inflightByPacketId.size() < window) {
            List<QueuedMessage> batch = messages.read(clientId, cursor,
                    Math.min(READ_BATCH, window - inflightByPacketId.size()));
            if (batch.isEmpty()) {
                break;
            }
            for (QueuedMessage entry : batch) {
                cursor = entry.seq();
                if (entry.state() == InflightState.QUEUED && entry.message().expired(now)) {
                    messages.remove(clientId, entry.seq()); // MQTT 5 message expiry [MQTT-3.3.2-5]
                    metrics.messageExpired();
                    continue;
                }
                wrote |= send(c, entry, now);
            }
        }
        if (wrote) {
            c.flush();
        }
    }

    private boolean send(MqttConnection c, QueuedMessage entry, long now) {
        switch (entry.state()) {
            case QUEUED -> {
                if (!acl.mayReceive(identity, entry.message().topic())) {
                    messages.remove(clientId, entry.seq()); // queued before the identity was known
                    metrics.messageDenied();
                    return false;
                }
                int packetId = entry.qos() == 0 ? 0 : peekPacketId();
                Publish publish = codec.toPublish(entry, entry.qos(), packetId, false, entry.retain(), now);
                if (!c.fitsClient(publish)) {
                    messages.remove(clientId, entry.seq()); // too large for the client [MQTT-3.1.2-25]
                    return false;
                }
                if (entry.qos() == 0) {
                    messages.remove(clientId, entry.seq());
                } else {
                    takePacketId(packetId);
                    inflightByPacketId.put(packetId, entry.seq());
                    sentAtByPacketId.put(packetId, now);
                    messages.updateInflight(clientId, entry.seq(), packetId, InflightState.SENT);
                }
                write(c, entry, publish);
            }
            case SENT -> {
                inflightByPacketId.put(entry.packetId(), entry.seq());
                sentAtByPacketId.put(entry.packetId(), now);
                write(c, entry, codec.toPublish(entry, entry.qos(), entry.packetId(), true, entry.retain(), now));
            }
            case RELEASED -> {
                inflightByPacketId.put(entry.packetId(), entry.seq());
                write(c, entry, PubReply.of(PacketType.PUBREL, entry.packetId()));
            }
        }
        return true;
    }

    /**
     * QoS 2 packets go out only once the message and its packet id are durable: after a crash the
     * subscriber must see the same packet id again, or it would take the message as a new one.
     * A QoS 1 delivery may repeat after a crash anyway, so it goes out at once.
     */
    private static void write(MqttConnection c, QueuedMessage entry, io.volantmq.broker.protocol.MqttMessage packet) {
        if (entry.qos() == 2) {
            c.writeWhenDurable(packet);
        } else {
            c.write(packet);
        }
    }

    /** The next free packet id, without taking it. The window is far below 65535, so one is always free. */
    private int peekPacketId() {
        int id = nextPacketId;
        while (inflightByPacketId.containsKey(id)) {
            id = id == 0xFFFF ? 1 : id + 1;
        }
        return id;
    }

    private void takePacketId(int id) {
        nextPacketId = id == 0xFFFF ? 1 : id + 1;
    }

    /**
     * PUBACK (QoS 1) or PUBCOMP (QoS 2): the message is delivered. The freed window is refilled in
     * {@link #pumpIfAcknowledged()} once the whole read is processed: one flush for many acks.
     */
    void onDeliveryComplete(int packetId) {
        sentAtByPacketId.remove(packetId);
        Long seq = inflightByPacketId.remove(packetId);
        if (seq != null) {
            messages.remove(clientId, seq);
            pumpAfterRead = true;
        }
    }

    /** Called when a read batch is done: refills the window if acknowledgements freed room. */
    void pumpIfAcknowledged() {
        if (pumpAfterRead) {
            pumpAfterRead = false;
            pump();
        }
    }

    /** PUBREC: answer PUBREL and remember that we did. Returns the PUBREL to send, or null. */
    PubReply onPubRec(PubReply pubRec, ProtocolVersion version) {
        Long seq = inflightByPacketId.get(pubRec.packetId());
        if (seq == null) {
            int code = version.isV5() ? ReasonCode.PACKET_IDENTIFIER_NOT_FOUND : ReasonCode.SUCCESS;
            return new PubReply(PacketType.PUBREL, pubRec.packetId(), code, null);
        }
        if (ReasonCode.isError(pubRec.reasonCode())) {
            // MQTT 5: a PUBREC with an error code ends the flow; the message is not delivered
            onDeliveryComplete(pubRec.packetId());
            return null;
        }
        sentAtByPacketId.remove(pubRec.packetId()); // acknowledged receipt: it stays with this member
        messages.updateInflight(clientId, seq, pubRec.packetId(), InflightState.RELEASED);
        return PubReply.of(PacketType.PUBREL, pubRec.packetId());
    }

    /**
     * A member of share groups that has left messages unacknowledged for {@code timeoutMillis}
     * while staying connected: those that came through a shared subscription move to another
     * member. A late acknowledgement of a moved message is ignored. Runs on the session's loop.
     */
    void moveStaleShared(long nowMillis, long timeoutMillis, Router router) {
        if (connection == null || sentAtByPacketId.isEmpty()) {
            return;
        }
        Map<String, SubscriptionOptions> shared = new LinkedHashMap<>();
        subscriptions.forEach((filter, options) -> {
            if (options.shared()) {
                shared.put(filter, options);
            }
        });
        if (shared.isEmpty()) {
            return;
        }
        Set<Long> stale = new HashSet<>();
        List<Integer> staleIds = new java.util.ArrayList<>();
        sentAtByPacketId.forEach((packetId, sentAt) -> {
            if (nowMillis - sentAt >= timeoutMillis) {
                stale.add(inflightByPacketId.get(packetId));
                staleIds.add(packetId);
            }
        });
        if (stale.isEmpty()) {
            return;
        }
        Set<Long> moved = router.redistributeShared(clientId, shared, stale);
        for (int packetId : staleIds) {
            if (moved.contains(inflightByPacketId.get(packetId))) {
                inflightByPacketId.remove(packetId);
                sentAtByPacketId.remove(packetId);
            }
        }
        if (!moved.isEmpty()) {
            log.info("client {} left {} shared-subscription messages unacknowledged for {} ms: moved to other members",
                    LogSafe.escape(clientId), moved.size(), timeoutMillis);
            pump();
        }
    }

    int inflightCount() {
        return inflightByPacketId.size();
    }
}
