package io.volantmq.broker.session;

import io.volantmq.broker.LogSafe;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.cluster.ClusterLink;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.store.MessagePropertiesCodec;
import io.volantmq.broker.routing.Recipient;
import io.volantmq.broker.routing.RecipientDirectory;
import io.volantmq.broker.routing.Router;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.broker.routing.SubscriptionTree;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Every session by client id, online or not, and the wills waiting for their delay. Decisions
 * about one client id (create, resume, discard, take over, expire) are made under the registry's
 * monitor; the slow part of a takeover (closing the old connection) happens outside it.
 */
public final class SessionRegistry implements RecipientDirectory {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** Recipients inside the broker (a bridge's outbound queue), by their reserved client id. */
    private final Map<String, Recipient> internal = new ConcurrentHashMap<>();
    /** MQTT 5 wills whose delay has not passed, by client id [MQTT-3.1.3-9]. */
    private final Map<String, DelayedWill> delayedWills = new ConcurrentHashMap<>();
    /**
     * Offline sessions that can expire, soonest first (guarded by this): the periodic check looks at the due
     * ones only, not at every session. An entry whose session has reconnected since is dropped when it is due.
     */
    private final PriorityQueue<ExpiryDue> expiryQueue =
            new PriorityQueue<>(Comparator.comparingLong(ExpiryDue::dueAtMillis));
    private final Store store;
    /**
     * The queues of sessions made with expiry 0: the heap's when the store is durable (their state ends with their
     * connection, so writing it to the store buys nothing), else the store's own.
     */
    private final MessageStore endingSessionQueues;
    private final SubscriptionTree tree;
    private final MessagePropertiesCodec codec;
    private final BrokerConfig config;
    private final OutboundSettings outbound;
    /** {@code volantmq.maxSessionExpiry}: the longest a session outlives its connection (s); unset: no cap. */
    private final long maxExpirySeconds;
    private Router router;
    private ClusterLink cluster = ClusterLink.NONE;

    /** A will to publish at {@code dueAtMillis} unless the session is resumed first; {@code from} set it. */
    record DelayedWill(StoredMessage message, long dueAtMillis, ClientIdentity from) {
    }

    private final AccessControl acl;
    private final BrokerMetrics metrics;
    /** {@code volantmq.clientIdBinding=username}: a session's client id is for its owner only. */
    private final boolean clientIdBinding;

    public SessionRegistry(Store store, SubscriptionTree tree, MessagePropertiesCodec codec, AccessControl acl,
                           BrokerMetrics metrics, BrokerConfig config) {
        this(store, store.messages(), tree, codec, acl, metrics, config);
    }

    /** As above; {@code endingSessionQueues} keeps the queues of sessions that end with their connection. */
    public SessionRegistry(Store store, MessageStore endingSessionQueues, SubscriptionTree tree,
                           MessagePropertiesCodec codec, AccessControl acl, BrokerMetrics metrics, BrokerConfig config) {
        this.store = store;
        this.endingSessionQueues = endingSessionQueues;
        this.acl = acl;
        this.metrics = metrics;
        this.tree = tree;
        this.codec = codec;
        this.config = config;
        this.outbound = OutboundSettings.from(config);
        this.clientIdBinding = Settings.global(config.settings())
                .choice("clientIdBinding", "off", "off", "username").equals("username");
        this.maxExpirySeconds = Settings.global(config.settings())
                .longValue("maxSessionExpiry", SessionState.NEVER_EXPIRES, 1, SessionState.NEVER_EXPIRES);
    }

    /** How connections write to their clients (read once, here, at start). */
    OutboundSettings outbound() {
        return outbound;
    }

    /**
     * The session expiry the broker grants for a requested one: at most {@code volantmq.maxSessionExpiry}
     * (a 3.x persistent session asks for "never"). 0 stays 0.
     */
    long grantedExpiry(long requestedSeconds) {
        return Math.min(requestedSeconds, maxExpirySeconds);
    }

    /** The router publishes delayed wills; it is built after the registry (it looks sessions up here). */
    /** Told the client id of every session that expires (the plugins' event); set once while wiring. */
    private java.util.function.Consumer<String> onExpired = id -> { };

    public void onExpired(java.util.function.Consumer<String> listener) {
        this.onExpired = java.util.Objects.requireNonNull(listener);
    }

    public void router(Router router) {
        this.router = router;
    }

    @Override
    public Recipient find(String clientId) {
        Recipient r = internal.get(clientId);
        return r != null ? r : sessions.get(clientId);
    }

    /**
     * Reserves {@code clientId} for a recipient inside the broker: the router delivers to it like to a
     * session (its queue is the store's queue of that client id), and a client using the id is refused.
     */
    public void registerInternal(String clientId, Recipient recipient) {
        if (internal.putIfAbsent(clientId, recipient) != null) {
            throw new IllegalStateException("client id already reserved: " + clientId);
        }
    }

    /** Reserved by {@link #registerInternal}: no client may use it. */
    public boolean reserved(String clientId) {
        return internal.containsKey(clientId);
    }

    public void unregisterInternal(String clientId) {
        internal.remove(clientId);
    }

    public Session get(String clientId) {
        return sessions.get(clientId);
    }

    public int size() {
        return sessions.size();
    }

    public long onlineCount() {
        return sessions.values().stream().filter(Session::online).count();
    }

    /** Rebuilds the persistent sessions, their subscriptions and pending wills from the store; returns how many. */
    public int recover() {
        long now = System.currentTimeMillis();
        Map<String, Integer> levels = new ConcurrentHashMap<>();
        store.sessions().forEach(state -> {
            restore(state, now);
            levels.put(state.clientId(), state.protocolVersion());
        });
        store.subscriptions().forEach((clientId, sub) -> {
            Session session = sessions.get(clientId);
            if (session == null) {
                return; // orphan of a session that was never completed
            }
            restoreSubscription(session, sub, levels.getOrDefault(clientId, 4) == 5);
        });
        int restored = sessions.size();
        expire(now);
        return restored;
    }

    private Session restore(SessionState state, long now) {
        // a cap set since the session was stored applies to it too
        Session session = newSession(state.clientId(), grantedExpiry(state.expiryIntervalSeconds()));
        // a session that was connected when the broker stopped counts as disconnected now
        long disconnectedAt = state.disconnectedAtMillis() == 0 ? now : state.disconnectedAtMillis();
        session.markRestored(disconnectedAt);
        expiryDue(session);
        session.owner(state.owner());
        sessions.put(state.clientId(), session);
        if (state.will() != null) {
            // authorized as the owner when it goes out: the ACL may have changed while the broker was down
            delayedWills.put(state.clientId(), new DelayedWill(state.will(),
                    disconnectedAt + state.willDelaySeconds() * 1000L,
                    new ClientIdentity(state.clientId(), state.owner(), null, null)));
        }
        return session;
    }

    private void restoreSubscription(Session session, StoredSubscription sub, boolean v5) {
        SubscriptionOptions options = SubscriptionOptions.of(sub.filter(), v5, sub.qos(), sub.noLocal(),
                sub.retainAsPublished(), sub.subscriptionId());
        session.subscriptions().put(sub.filter(), options);
        session.subscriptionsChanged();
        tree.subscribe(session.clientId(), sub.filter(), options);
    }

    // ------------------------------------------------------------------ cluster (ClusterHost through Broker)

    /** Set once at wiring. */
    public void cluster(ClusterLink link) {
        this.cluster = link;
    }

    public ClusterLink cluster() {
        return cluster;
    }

    /**
     * Cluster: makes the stored session of {@code clientId} known here, offline, with its subscriptions,
     * unless it is known already (another node held it; the store is shared). True when loaded.
     */
    public synchronized boolean load(String clientId) {
        if (sessions.containsKey(clientId)) {
            return false;
        }
        SessionState state = store.sessions().get(clientId).orElse(null);
        if (state == null) {
            return false;
        }
        Session session = restore(state, System.currentTimeMillis());
        for (StoredSubscription sub : store.subscriptions().get(clientId)) {
            restoreSubscription(session, sub, state.protocolVersion() == 5);
        }
        return true;
    }

    /**
     * Cluster: a client whose node died. Its session (if persistent) is loaded; its will goes out after
     * its delay unless the client resumes first [MQTT-3.1.3-9], as if it had disconnected now.
     */
    public void adopt(String clientId, StoredMessage will, long willDelaySeconds) {
        thenWills(() -> adoptLocked(clientId, will, willDelaySeconds));
    }

    private synchronized void adoptLocked(String clientId, StoredMessage will, long willDelaySeconds) {
        load(clientId);
        Session session = sessions.get(clientId);
        if (session == null) {
            cluster.sessionEnded(clientId); // nothing kept here (not persistent): the registry entry goes
        }
        if (will == null) {
            return;
        }
        long now = System.currentTimeMillis();
        DelayedWill pending = new DelayedWill(will, now + willDelaySeconds * 1000L,
                new ClientIdentity(clientId, session == null ? null : session.owner(), null, null));
        if (session == null || willDelaySeconds <= 0) {
            publishWill(clientId, pending);
        } else if (session.connection() == null) {
            delayedWills.put(clientId, pending);
        }
    }

    /**
     * Cluster: another node owns {@code clientId} now. Its connection here is closed (MQTT 5: 0x8E
     * [MQTT-3.1.4-3]) and its session forgotten in memory only: the shared store keeps it for the new owner.
     */
    public CompletableFuture<Object> release(String clientId) {
        Session session = sessions.get(clientId);
        if (session == null) {
            return CompletableFuture.completedFuture(null);
        }
        return release(session, ReasonCode.SESSION_TAKEN_OVER, "session taken over on another node");
    }

    /** Completes with what {@link ClusterLink#leaveLocally} returned for the unload. */
    private CompletableFuture<Object> release(Session session, int reasonCode, String reason) {
        MqttConnection c = session.connection();
        if (c == null) {
            return CompletableFuture.completedFuture(cluster.leaveLocally(session.clientId(), () -> unload(session)));
        }
        try {
            c.eventLoop().execute(() -> {
                if (!c.version().isV5() && session.persistent()) {
                    c.discardWill(); // the session continues elsewhere (as for a takeover on one node)
                }
                c.closeWithReason(reasonCode, reason);
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(cluster.leaveLocally(session.clientId(), () -> unload(session)));
        }
        return c.detached().handle((ignored, error) -> cluster.leaveLocally(session.clientId(), () -> unload(session)));
    }

    private synchronized void unload(Session session) {
        if (!sessions.remove(session.clientId(), session)) {
            return;
        }
        delayedWills.remove(session.clientId()); // the new owner decides about it
        session.subscriptions().forEach((filter, options) -> tree.unsubscribe(session.clientId(), filter, options));
        if (session.queuedInMemory()) {
            endingSessionQueues.clear(session.clientId()); // never moves: the new node starts a new session
        }
        router.limits().invalidate(session.clientId());
        log.debug("session {} released to another node", session.clientId());
    }

    /**
     * Cluster: this node can no longer prove it owns its clients (the others may have taken them): every
     * connection is closed (MQTT 5: 0x88) and every session forgotten in memory, so that no stale copy
     * keeps routes or queues here; the shared store keeps them for their owner. Completes when done.
     */
    public CompletableFuture<Void> disconnectAll(String reason) {
        List<CompletableFuture<Object>> released = new ArrayList<>();
        for (Session session : List.copyOf(sessions.values())) {
            released.add(release(session, ReasonCode.SERVER_UNAVAILABLE, reason));
        }
        return CompletableFuture.allOf(released.toArray(new CompletableFuture[0]));
    }

    /**
     * The outcome of {@link #claim}: either a session to attach to, or a refusal.
     *
     * @param refusedOwner the client id's session belongs to another user (only with client id binding):
     *                     that user; null otherwise
     */
    record Claim(Session session, boolean sessionPresent, MqttConnection previous, boolean refusedDuplicate,
                 boolean refusedFull, String refusedOwner) {
    }

    /**
     * Decides what a CONNECT gets. When another connection holds the client id it is returned as
     * {@code previous}: the caller closes it, waits for it to detach, and claims again.
     *
     * @param username the authenticated user name of the connection, null when anonymous; it becomes
     *                 the session's owner
     */
    Claim claim(String clientId, boolean cleanStart, int protocolLevel, long expirySeconds, String username) {
        Claim[] claim = new Claim[1];
        thenWills(() -> claim[0] = claimLocked(clientId, cleanStart, protocolLevel, expirySeconds, username));
        return claim[0];
    }

    private synchronized Claim claimLocked(String clientId, boolean cleanStart, int protocolLevel, long expirySeconds,
                                           String username) {
        Session existing = sessions.get(clientId);
        if (clientIdBinding && existing != null && existing.owner() != null
                && !existing.owner().equals(username)) {
            // neither its queue, nor its client-id ACL grants, nor its connection go to another user;
            // a session without owner (anonymous, or stored before owners were) is anybody's
            return new Claim(null, false, null, false, false, existing.owner());
        }
        if (existing != null && existing.online()) {
            boolean refuse = config.duplicateClientPolicy() == BrokerConfig.DuplicateClientPolicy.REFUSE;
            return new Claim(null, false, existing.connection(), refuse, false, null);
        }
        if (existing == null && config.maxSessionCount() > 0 && sessions.size() >= config.maxSessionCount()) {
            return new Claim(null, false, null, false, true, null);
        }
        DelayedWill will = delayedWills.remove(clientId);
        // a session with expiry 0 ended with its connection [MQTT-4.1.0-2], even while this monitor had not yet
        // heard of it (the connection has detached, its disconnection is on its way): it is not resumed
        if (existing != null && !cleanStart && existing.persistent()) {
            // resumed in time: the delayed will is not sent [MQTT-3.1.3-9]
            existing.expirySeconds(expirySeconds);
            existing.owner(username);
            saveState(existing, protocolLevel, 0, null, 0);
            return new Claim(existing, true, null, false, false, null);
        }
        if (will != null) {
            publishWill(clientId, will); // the old session ends now, and its will with it
        }
        if (existing != null) {
            discard(existing);
        }
        Session session = newSession(clientId, expirySeconds);
        if (session.queuedInMemory()) {
            endingSessionQueues.clear(clientId); // a message routed to the previous one while it ended
        }
        session.owner(username);
        sessions.put(clientId, session);
        if (session.persistent()) {
            saveState(session, protocolLevel, 0, null, 0);
        }
        return new Claim(session, false, null, false, false, null);
    }

    private Session newSession(String clientId, long expirySeconds) {
        boolean inMemory = expirySeconds == 0 && endingSessionQueues != store.messages();
        return new Session(clientId, expirySeconds, inMemory ? endingSessionQueues : store.messages(), inMemory,
                config.maxInflight(), codec, acl, metrics);
    }

    /**
     * A connection went away. A session with expiry 0 ends now; a longer-lived one is kept offline.
     * A will with a delay is held until the delay passes or the session ends [MQTT-3.1.3-9].
     */
    void disconnected(Session session, StoredMessage will, long willDelaySeconds) {
        thenWills(() -> disconnectedLocked(session, will, willDelaySeconds));
    }

    private synchronized void disconnectedLocked(Session session, StoredMessage will, long willDelaySeconds) {
        expiryDue(session);
        if (will != null) {
            long delay = Math.min(willDelaySeconds, session.expirySeconds());
            DelayedWill pending = new DelayedWill(will, session.disconnectedAtMillis() + delay * 1000L,
                    session.identity());
            if (delay <= 0 || !session.persistent()) {
                publishWill(session.clientId(), pending);
                will = null;
            } else {
                delayedWills.put(session.clientId(), pending);
            }
        }
        if (sessions.get(session.clientId()) != session) {
            return; // ended already: a new connection's claim came first, and the client id is the new session's
        }
        cluster.disconnected(session.clientId());
        if (!session.persistent()) {
            discard(session);
            return;
        }
        saveState(session, session.protocolLevel(), session.disconnectedAtMillis(), will, willDelaySeconds);
    }

    private void saveState(Session session, int level, long disconnectedAt, StoredMessage will, long willDelay) {
        store.sessions().put(new SessionState(session.clientId(), level, session.expirySeconds(), disconnectedAt,
                will, willDelay, session.owner()));
    }

    /** Asks every online session to hand over shared-subscription messages left unacknowledged too long. */
    public void moveStaleShared(long nowMillis, long timeoutMillis) {
        if (router.shared().groupCount() == 0) {
            return; // no member of any share group here: no need to look at every session each second
        }
        for (Session session : sessions.values()) {
            MqttConnection c = session.connection();
            if (c != null && session.hasSharedSubscriptions()) {
                c.eventLoop().execute(() -> session.moveStaleShared(nowMillis, timeoutMillis, router));
            }
        }
    }

    /**
     * Publishes due delayed wills and removes expired sessions; called periodically. One will or
     * session that fails is logged and skipped, so it cannot hold up the others.
     */
    public void expire(long nowMillis) {
        thenWills(() -> expireLocked(nowMillis));
    }

    private synchronized void expireLocked(long nowMillis) {
        for (Map.Entry<String, DelayedWill> e : delayedWills.isEmpty() ? List.<Map.Entry<String, DelayedWill>>of()
                : new ArrayList<>(delayedWills.entrySet())) {
            if (nowMillis >= e.getValue().dueAtMillis()) {
                delayedWills.remove(e.getKey());
                try {
                    publishWill(e.getKey(), e.getValue());
                } catch (RuntimeException failure) {
                    log.error("publishing the delayed will of {} failed; it is dropped", e.getKey(), failure);
                }
            }
        }
        // a set: two disconnections in the same millisecond queue a session twice
        Set<Session> expired = new LinkedHashSet<>();
        for (ExpiryDue due = expiryQueue.peek(); due != null && due.dueAtMillis() <= nowMillis;
             due = expiryQueue.peek()) {
            expiryQueue.poll();
            Session s = due.session();
            if (s.disconnectedAtMillis() != due.disconnectedAtMillis() || sessions.get(s.clientId()) != s) {
                continue; // reconnected since (its next disconnection queues it again), or gone
            }
            if (s.expired(nowMillis)) {
                expired.add(s);
            } else {
                expiryDue(s); // its expiry interval grew since it was queued
            }
        }
        for (Session session : expired) {
            try {
                DelayedWill will = delayedWills.remove(session.clientId());
                if (will != null) {
                    publishWill(session.clientId(), will); // the session ends first [MQTT-3.1.3-9]
                }
                log.info("session {} expired after {} s offline", LogSafe.escape(session.clientId()),
                        session.expirySeconds());
                metrics.sessionExpired();
                onExpired.accept(session.clientId());
                discard(session);
            } catch (RuntimeException failure) {
                log.error("expiring session {} failed", session.clientId(), failure);
            }
        }
    }

    private record ExpiryDue(long dueAtMillis, Session session, long disconnectedAtMillis) {
    }

    /** Queues an offline session for {@link #expire} at the time its expiry interval runs out. */
    private synchronized void expiryDue(Session session) {
        long disconnectedAt = session.disconnectedAtMillis();
        long expiry = session.expirySeconds();
        if (disconnectedAt != 0 && expiry != 0 && expiry != SessionState.NEVER_EXPIRES) {
            expiryQueue.add(new ExpiryDue(disconnectedAt + expiry * 1000L, session, disconnectedAt));
        }
    }

    /**
     * Wills that came due while this thread held the registry's monitor, published once it let go of it: routing
     * a will in a cluster takes the cluster's lock against sessions moving here, and a session moving here is
     * loaded under that lock into this registry (its monitor): holding the monitor while routing deadlocked both.
     */
    private final ThreadLocal<List<Runnable>> willsDue = ThreadLocal.withInitial(ArrayList::new);

    private void publishWill(String clientId, DelayedWill pending) {
        if (Thread.holdsLock(this)) {
            willsDue.get().add(() -> {
                try {
                    publishWillNow(clientId, pending);
                } catch (RuntimeException failure) {
                    log.error("publishing the will of {} failed; it is dropped", clientId, failure);
                }
            });
            return;
        }
        publishWillNow(clientId, pending);
    }

    /** Runs {@code locked} (a synchronized method), then publishes the wills it held back. */
    private void thenWills(Runnable locked) {
        try {
            locked.run();
        } finally {
            publishDueWills();
        }
    }

    /** Publishes the wills {@link #publishWill} held back, once this thread no longer holds the monitor. */
    private void publishDueWills() {
        if (Thread.holdsLock(this)) {
            return; // a nested call: the outermost one publishes them
        }
        List<Runnable> due = willsDue.get();
        while (!due.isEmpty()) {
            List<Runnable> now = List.copyOf(due);
            due.clear();
            now.forEach(Runnable::run);
        }
    }

    private void publishWillNow(String clientId, DelayedWill pending) {
        if (router == null) {
            return;
        }
        StoredMessage will = pending.message();
        // checked at CONNECT, and again now: the ACL file may have changed since (or the broker restarted)
        String refusal = PublishPermission.willRefusal(acl, pending.from(), will.topic());
        if (refusal != null) {
            log.warn("not publishing the will of client {} (user {}): {}", clientId,
                    pending.from() == null ? null : pending.from().username(), refusal);
            metrics.messageDenied();
            return;
        }
        log.debug("publishing the will of {} to {}", clientId, will.topic());
        Properties properties = will.properties().length == 0 ? Properties.EMPTY
                : io.volantmq.broker.codec.MqttCodec.decodeProperties(will.properties());
        router.publish(clientId, new Publish(will.topic(), will.qos(), will.retain(), false, 0, will.payload(),
                properties));
    }

    /** Removes a session and everything it owns, from memory and from the store. */
    private void discard(Session session) {
        if (!sessions.remove(session.clientId(), session)) {
            // ended already (a new connection's claim came before its disconnection): what the store holds
            // under its client id now is the next session's
            return;
        }
        for (String filter : session.subscriptions().keySet()) {
            tree.unsubscribe(session.clientId(), filter, session.subscriptions().get(filter));
        }
        session.subscriptions().clear();
        store.subscriptions().deleteAll(session.clientId());
        if (session.queuedInMemory()) {
            endingSessionQueues.clear(session.clientId()); // the durable store never held its queue
        } else {
            store.messages().clear(session.clientId());
        }
        router.limits().invalidate(session.clientId());
        store.sessions().delete(session.clientId());
        cluster.sessionEnded(session.clientId());
        log.debug("session {} discarded", session.clientId());
    }

    /** Persists a subscription of a persistent session. */
    void saveSubscription(Session session, String filter, SubscriptionOptions o, int retainHandling) {
        if (session.persistent()) {
            store.subscriptions().put(session.clientId(), new StoredSubscription(filter, o.qos(), o.noLocal(),
                    o.retainAsPublished(), retainHandling, o.subscriptionId()));
        }
    }

    void deleteSubscription(Session session, String filter) {
        if (session.persistent()) {
            store.subscriptions().delete(session.clientId(), filter);
        }
    }

    // ------------------------------------------------------------------ read-only views ($SYS, admin API)

    /**
     * One session as the admin API shows it. {@code address}, {@code listener} and
     * {@code keepAliveSeconds} are null while the client is offline; {@code tls} is null also without TLS.
     */
    public record ClientView(String clientId, boolean online, int protocolLevel, String address, String listener,
                             String username, Integer keepAliveSeconds, long expirySeconds,
                             long disconnectedAtMillis, Map<String, SubscriptionOptions> subscriptions, int inflight,
                             long connectedAtMillis, ChannelInfo.Tls tls) {
    }

    /** The client ids of every session, online or not, sorted. */
    public List<String> clientIds() {
        List<String> ids = new ArrayList<>(sessions.keySet());
        Collections.sort(ids);
        return ids;
    }

    /** Connected clients per listener, keyed by the listener as configured without its query. */
    public Map<String, Long> onlineByListener() {
        Map<String, Long> counts = new HashMap<>();
        for (Session session : sessions.values()) {
            MqttConnection c = session.connection();
            if (c != null) {
                counts.merge(c.listener().uri().toString(), 1L, Long::sum);
            }
        }
        return counts;
    }

    /**
     * A view of one session, or null when there is none. Taken on the connection's event loop while
     * the client is online (the session's state is confined to it), directly otherwise.
     */
    public CompletableFuture<ClientView> view(String clientId) {
        Session session = sessions.get(clientId);
        if (session == null) {
            return CompletableFuture.completedFuture(null);
        }
        MqttConnection c = session.connection();
        if (c == null) {
            return CompletableFuture.completedFuture(offlineView(session));
        }
        CompletableFuture<ClientView> result = new CompletableFuture<>();
        try {
            c.eventLoop().execute(() -> {
                try {
                    MqttConnection now = session.connection();
                    result.complete(now == c ? onlineView(session, c) : offlineView(session));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e); // the broker is stopping
        }
        return result;
    }

    private static ClientView onlineView(Session s, MqttConnection c) {
        assert c.eventLoop().inEventLoop();
        return new ClientView(s.clientId(), true, s.protocolLevel(), address(c.remoteAddress()),
                c.listener().uri().toString(), s.identity() == null ? null : s.identity().username(),
                c.keepAliveSeconds(), s.expirySeconds(), 0, Collections.unmodifiableMap(
                        new LinkedHashMap<>(s.subscriptions())), s.inflightCount(), s.connectedAtMillis(), c.tls());
    }

    /** Offline sessions change only under this monitor (claim, expire) or when a client attaches. */
    private synchronized ClientView offlineView(Session s) {
        for (int attempt = 0; ; attempt++) {
            try {
                return new ClientView(s.clientId(), false, s.protocolLevel(), null, null,
                        s.identity() == null ? null : s.identity().username(), null, s.expirySeconds(),
                        s.disconnectedAtMillis(), Collections.unmodifiableMap(new LinkedHashMap<>(s.subscriptions())),
                        0, 0, null);
            } catch (ConcurrentModificationException e) {
                if (attempt == 3) {
                    throw e; // its client came back and is subscribing right now
                }
            }
        }
    }

    private static String address(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort()
                : String.valueOf(address);
    }

    /**
     * Disconnects a connected client on its event loop: MQTT 5 clients get DISCONNECT 0x98
     * (administrative action), 3.x clients are closed. The session stays as its expiry says.
     * Returns false when the client is not connected.
     */
    public boolean kick(String clientId, String reason) {
        Session session = sessions.get(clientId);
        MqttConnection c = session == null ? null : session.connection();
        if (c == null) {
            return false;
        }
        try {
            c.eventLoop().execute(() -> c.closeWithReason(ReasonCode.ADMINISTRATIVE_ACTION, reason));
        } catch (RejectedExecutionException e) {
            return false; // the broker is stopping: the connection is closing anyway
        }
        return true;
    }
}
