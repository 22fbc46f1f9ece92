package io.volantmq.broker.session;

import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.codec.SharedPublish;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.store.MessagePropertiesCodec;
import io.volantmq.broker.routing.Recipient;
import io.volantmq.broker.routing.Router;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.SessionState;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * One client's session: its subscriptions, its outbound queue (kept in the store; the inflight
 * window over it and the outbound acknowledgements are its {@link DeliveryFlow}), and the inbound
 * QoS 2 ids awaiting PUBREL.
 *
 * <p>Lifetime: the session expiry interval says how long it outlives its connection: 0 ends it with
 * the connection (3.x clean session), {@link SessionState#NEVER_EXPIRES} never (3.x persistent).
 *
 * <p>Confinement: while connected, every method except {@link #notifyQueued()} and
 * {@link #sendDirect} runs on the connection's event loop. A session moves to another loop only
 * when a new connection attaches, after the old connection has fully detached.
 */
public final class Session implements Recipient {

    private final String clientId;
    /** Its queue: the durable store's, or the heap's for a session made to end with its connection. */
    private final MessageStore messages;
    /** Made with expiry 0 while the store is durable: its queue is on the heap ({@link #queuedInMemory()}). */
    private final boolean queuedInMemory;
    /**
     * filter -> options; mirrors the subscription tree so the session can leave it cleanly. Sized for the
     * one or two filters most clients have (the default table has 16 slots).
     */
    private final Map<String, SubscriptionOptions> subscriptions = new LinkedHashMap<>(2);

    /** Any shared subscription? Read by the housekeeping thread to skip sessions cheaply. */
    private volatile boolean hasShared;
    private volatile long expirySeconds;
    private volatile long disconnectedAtMillis;
    /** When the current connection attached (the admin API's "connected since"). */
    private volatile long connectedAtMillis;
    private volatile MqttConnection connection;
    private volatile ClientIdentity identity;
    /** The user name the session belongs to (see {@link SessionState#owner()}); set under the registry's monitor. */
    private volatile String owner;
    private volatile int protocolLevel = ProtocolVersion.MQTT_3_1_1.level();
    /** The outbound QoS 0/1/2 flow over the queue: packet ids, the inflight window, acknowledgements. */
    private final DeliveryFlow delivery;

    // owned by the connection's event loop
    /** Inbound QoS 2 packet ids awaiting PUBREL; null while there are none (most clients never send QoS 2). */
    private Set<Integer> incomingQos2;

    Session(String clientId, long expirySeconds, MessageStore messages, boolean queuedInMemory, int maxInflight,
            MessagePropertiesCodec codec, AccessControl acl, BrokerMetrics metrics) {
        this.clientId = clientId;
        this.expirySeconds = expirySeconds;
        this.messages = messages;
        this.queuedInMemory = queuedInMemory;
        this.delivery = new DeliveryFlow(this, messages, queuedInMemory, maxInflight, codec, acl, metrics);
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

    /**
     * Its queue, inflight state and inbound QoS 2 ids are on the heap: fixed at creation, as a session with
     * expiry 0 is never resumed (its state ends with its connection [MQTT-4.1.0-2]); a persistent session
     * resumed with expiry 0 keeps its durable queue until it ends.
     */
    @Override
    public boolean queuedInMemory() {
        return queuedInMemory;
    }

    /** Where its queue is (see {@link #queuedInMemory()}). */
    MessageStore queue() {
        return messages;
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

    long connectedAtMillis() {
        return connectedAtMillis;
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
        delivery.attach(clientReceiveMaximum);
        incomingQos2 = awaitingRelease.isEmpty() ? null : new HashSet<>(awaitingRelease);
        protocolLevel = newConnection.version().level();
        identity = newConnection.identity();
        disconnectedAtMillis = 0;
        connectedAtMillis = System.currentTimeMillis();
        connection = newConnection;
    }

    /** Unbinds {@code old} if it is still the session's connection; false when another took over. */
    boolean detach(MqttConnection old) {
        if (connection != old) {
            return false;
        }
        disconnectedAtMillis = System.currentTimeMillis();
        connection = null;
        delivery.detach();
        return true;
    }

    /** Re-sends what was inflight (DUP) and continues with the queue [MQTT-4.4.0-1]. */
    void resume() {
        delivery.pump();
    }

    // ------------------------------------------------------------------ inbound QoS 2

    /** True if this QoS 2 packet id is new (route it); false for a re-sent PUBLISH before PUBREL. */
    boolean acceptIncomingQos2(int packetId, Executor storeWork) {
        if (incomingQos2 == null) {
            incomingQos2 = new HashSet<>();
        }
        if (!incomingQos2.add(packetId)) {
            return false;
        }
        if (persistent()) {
            // where the message's queue appends go (the client's store lane), ahead of them: one sync
            // covers both, and a crash never keeps the id without the message it stands for
            storeWork.execute(() -> messages.addIncomingQos2(clientId, packetId));
        }
        return true;
    }

    /** True if this id is already awaiting PUBREL. */
    boolean hasIncomingQos2(int packetId) {
        return incomingQos2 != null && incomingQos2.contains(packetId);
    }

    /** Inbound QoS 2 messages awaiting PUBREL: what counts against the broker's Receive Maximum. */
    int incomingQos2Count() {
        return incomingQos2 == null ? 0 : incomingQos2.size();
    }

    /** Undoes {@link #acceptIncomingQos2} when the message could not be routed (the client will resend it). */
    void forgetIncomingQos2(int packetId) {
        if (incomingQos2 != null && incomingQos2.remove(packetId) && persistent()) {
            try {
                messages.removeIncomingQos2(clientId, packetId);
            } catch (PersistenceException ignored) {
                // the store is failing already; the resent PUBLISH finds the id only after a restart
            }
        }
    }

    /** PUBREL: forget the id; false if it was unknown. */
    boolean releaseIncomingQos2(int packetId) {
        boolean known = incomingQos2 != null && incomingQos2.remove(packetId);
        if (known && persistent()) {
            messages.removeIncomingQos2(clientId, packetId);
        }
        return known;
    }

    // ------------------------------------------------------------------ outbound: see DeliveryFlow

    DeliveryFlow delivery() {
        return delivery;
    }

    /** Called from any thread after messages were queued for this session: pump on its loop. */
    @Override
    public void notifyQueued() {
        delivery.notifyQueued();
    }

    /** Sends a QoS 0 message that does not go through the queue; dropped when offline. Any thread. */
    public boolean sendDirect(Publish publish) {
        SharedPublish one = new SharedPublish(publish);
        try {
            return delivery.sendDirect(one);
        } finally {
            one.release();
        }
    }

    /** As {@link #sendDirect(Publish)}, with bytes other connections may share. */
    @Override
    public boolean sendDirect(SharedPublish publish) {
        return delivery.sendDirect(publish);
    }

    void pump() {
        delivery.pump();
    }

    void pumpIfAcknowledged() {
        delivery.pumpIfAcknowledged();
    }

    void moveStaleShared(long nowMillis, long timeoutMillis, Router router) {
        delivery.moveStaleShared(nowMillis, timeoutMillis, router);
    }

    int inflightCount() {
        return delivery.inflightCount();
    }
}
