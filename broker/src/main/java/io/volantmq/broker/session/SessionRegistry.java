package io.volantmq.broker.session;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.routing.MessagePropertiesCodec;
import io.volantmq.broker.routing.Recipient;
import io.volantmq.broker.routing.RecipientDirectory;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.broker.routing.SubscriptionTree;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every session by client id, online or not. Decisions about one client id (create, resume,
 * discard, take over) are made under the registry's monitor; the slow part of a takeover (closing
 * the old connection) happens outside it.
 */
public final class SessionRegistry implements RecipientDirectory {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Store store;
    private final SubscriptionTree tree;
    private final MessagePropertiesCodec codec;
    private final BrokerConfig config;

    public SessionRegistry(Store store, SubscriptionTree tree, MessagePropertiesCodec codec, BrokerConfig config) {
        this.store = store;
        this.tree = tree;
        this.codec = codec;
        this.config = config;
    }

    @Override
    public Recipient find(String clientId) {
        return sessions.get(clientId);
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

    /** Rebuilds the persistent sessions and their subscriptions from the store; returns how many. */
    public int recover() {
        long now = System.currentTimeMillis();
        store.sessions().forEach(state -> {
            if (state.expired(now)) {
                discardStored(state.clientId());
            } else {
                sessions.put(state.clientId(), newSession(state.clientId(), true));
            }
        });
        store.subscriptions().forEach((clientId, sub) -> {
            Session session = sessions.get(clientId);
            if (session == null) {
                return; // orphan of a session that expired or was never completed
            }
            SubscriptionOptions options = new SubscriptionOptions(sub.qos(), sub.noLocal(), sub.retainAsPublished(),
                    sub.subscriptionId());
            session.subscriptions().put(sub.filter(), options);
            tree.subscribe(clientId, sub.filter(), options);
        });
        return sessions.size();
    }

    /** The outcome of {@link #claim}: either a session to attach to, or a refusal. */
    record Claim(Session session, boolean sessionPresent, MqttConnection previous, boolean refusedDuplicate,
                 boolean refusedFull) {
    }

    /**
     * Decides what a CONNECT gets. When another connection holds the client id it is returned as
     * {@code previous}: the caller closes it, waits for it to detach, and claims again.
     */
    synchronized Claim claim(String clientId, boolean cleanSession, int protocolLevel) {
        Session existing = sessions.get(clientId);
        if (existing != null && existing.online()) {
            if (config.duplicateClientPolicy() == BrokerConfig.DuplicateClientPolicy.REFUSE) {
                return new Claim(null, false, existing.connection(), true, false);
            }
            return new Claim(null, false, existing.connection(), false, false);
        }
        if (existing == null && config.maxSessionCount() > 0 && sessions.size() >= config.maxSessionCount()) {
            return new Claim(null, false, null, false, true);
        }
        if (existing != null && !cleanSession && existing.persistent()) {
            return new Claim(existing, true, null, false, false);
        }
        if (existing != null) {
            discard(existing);
        }
        Session session = newSession(clientId, !cleanSession);
        sessions.put(clientId, session);
        if (!cleanSession) {
            store.sessions().put(new SessionState(clientId, protocolLevel, SessionState.NEVER_EXPIRES, 0, null, 0));
        }
        return new Claim(session, false, null, false, false);
    }

    private Session newSession(String clientId, boolean persistent) {
        return new Session(clientId, persistent, store.messages(), config.maxInflight(), codec);
    }

    /** A connection went away: a clean session ends with it, a persistent one is kept offline. */
    synchronized void disconnected(Session session) {
        if (!session.persistent()) {
            discard(session);
            return;
        }
        store.sessions().put(new SessionState(session.clientId(), session.protocolLevel(), SessionState.NEVER_EXPIRES,
                System.currentTimeMillis(), null, 0));
    }

    /** Removes a session and everything it owns, from memory and from the store. */
    private void discard(Session session) {
        sessions.remove(session.clientId(), session);
        for (String filter : session.subscriptions().keySet()) {
            tree.unsubscribe(session.clientId(), filter);
        }
        session.subscriptions().clear();
        discardStored(session.clientId());
    }

    private void discardStored(String clientId) {
        store.subscriptions().deleteAll(clientId);
        store.messages().clear(clientId);
        store.sessions().delete(clientId);
        log.debug("session {} discarded", clientId);
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
}
