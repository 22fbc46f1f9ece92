package io.volantmq.broker;

import io.volantmq.broker.session.SessionRegistry;
import io.volantmq.broker.session.ResourceLimits;

import io.volantmq.broker.store.GroupCommit;
import io.volantmq.broker.store.GuardedStore;
import io.volantmq.broker.store.StoreLanes;
import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.EnhancedAuthMechanism;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.routing.RetainedIndex;
import io.volantmq.broker.store.MessagePropertiesCodec;
import io.volantmq.broker.routing.QueueLimits;
import io.volantmq.broker.routing.Router;
import io.volantmq.broker.plugin.PluginHost;
import io.volantmq.broker.routing.SubscriptionTree;
import io.volantmq.broker.routing.SessionQueues;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.Store;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The broker-wide parts a connection works with, wired once, by hand, in {@link #wire}.
 *
 * @param authMechanisms MQTT 5 enhanced authentication methods by name
 * @param workers        where slow work runs (authentication exchanges), never an event loop
 * @param groupCommit    for a store that makes changes durable on sync: acknowledgements wait for
 *                       it; null when every change is durable (or not durable) on return
 * @param lanes          the store threads connections hand durable store work and acknowledgements to;
 *                       null when store calls run inline (a store that is not durable, a buffered one,
 *                       or {@code volantmq.store.lanes=0})
 * @param limits         bounds on topic depth, subscriptions and retained messages
 * @param plugins        the plugins' hooks the flows call; {@link PluginHost#none()} without plugins
 */
public record BrokerContext(BrokerConfig config, SessionRegistry sessions, Router router, SubscriptionTree tree,
                            RetainedIndex retained, Store store, MessagePropertiesCodec messageCodec,
                            AccessControl acl, Map<String, EnhancedAuthMechanism> authMechanisms, Executor workers,
                            BrokerMetrics metrics, BrokerEvents events, GroupCommit groupCommit,
                            ResourceLimits limits, PluginHooks plugins, StoreLanes lanes) {

    /** Wires the core over an open store (the broker, and tests that drive connections directly). */
    public static BrokerContext wire(BrokerConfig config, Store store, AccessControl acl,
                                     List<EnhancedAuthMechanism> mechanisms, BrokerMetrics metrics,
                                     BrokerEvents events) {
        return wire(config, store, acl, mechanisms, metrics, events, PluginHost.none());
    }

    /** As above, with plugins: {@code acl} is already behind their authorizers. */
    public static BrokerContext wire(BrokerConfig config, Store store, AccessControl acl,
                                     List<EnhancedAuthMechanism> mechanisms, BrokerMetrics metrics,
                                     BrokerEvents events, PluginHost plugins) {
        return wire(config, store, store.messages(), acl, mechanisms, metrics, events, plugins);
    }

    /**
     * As above; {@code endingSessionQueues} keeps the queues of sessions that end with their connection
     * ({@link SessionQueues}): the heap's over a durable store, else {@code store.messages()}.
     */
    public static BrokerContext wire(BrokerConfig config, Store store, MessageStore endingSessionQueues,
                                     AccessControl acl, List<EnhancedAuthMechanism> mechanisms, BrokerMetrics metrics,
                                     BrokerEvents events, PluginHost plugins) {
        ResourceLimits limits = ResourceLimits.from(config.settings());
        SubscriptionTree tree = new SubscriptionTree();
        MessagePropertiesCodec codec = new MessagePropertiesCodec();
        RetainedIndex retained = new RetainedIndex(store.retained(), limits.maxRetainedMessages(),
                limits.maxRetainedBytes());
        SessionRegistry sessions = new SessionRegistry(store, endingSessionQueues, tree, codec, acl, metrics, config);
        Router router = new Router(tree, retained, sessions,
                new SessionQueues(store.messages(), endingSessionQueues, sessions),
                new QueueLimits(store.messages(), config), codec, acl, config, metrics);
        if (plugins.hasEventListeners()) {
            sessions.onExpired(plugins::sessionExpired);
        }
        if (plugins.hasOutboundInterceptors() || plugins.hasEventListeners()) {
            router.deliveryHook(new PluginDeliveryHook(plugins));
        }
        sessions.router(router);
        Map<String, EnhancedAuthMechanism> byMethod = mechanisms.stream()
                .collect(Collectors.toUnmodifiableMap(EnhancedAuthMechanism::method, Function.identity()));
        GroupCommit groupCommit = store.durability() == Store.Durability.ON_SYNC
                ? new GroupCommit(store, "store") : null;
        return new BrokerContext(config, sessions, router, tree, retained, store, codec, acl, byMethod, WORKERS,
                metrics, events, groupCommit, limits, plugins, lanes(store, config));
    }

    /**
     * Lanes for a durable store taken as it is (the broker puts every such store behind a {@link GuardedStore};
     * a buffered store acknowledges at once and the memory store never waits, so both stay inline).
     */
    private static StoreLanes lanes(Store store, BrokerConfig config) {
        Settings s = Settings.global(config.settings());
        int count = s.integer("store.lanes", -1, -1, 64);
        if (count == 0 || !(store instanceof GuardedStore)) {
            return null;
        }
        if (!s.string("cluster", "none").trim().equals("none")) {
            // a cluster node joins a PUBLISH's id, queue entries and forwards in one store transaction on
            // the event loop (Store.together); handing the appends to a lane would split that transaction
            return null;
        }
        // more lanes than the store can use only contend for its locks; a few suffice to hide round trips
        int lanes = count > 0 ? count : Math.min(4, Math.max(1, store.maxConcurrency()));
        return new StoreLanes(store, lanes, s.integer("store.laneBacklog", 8_192, 1, Integer.MAX_VALUE));
    }

    /** Daemon threads: slow authentication must never hold an event loop, nor the JVM at exit. */
    private static final ExecutorService WORKERS = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "volantmq-worker");
        t.setDaemon(true);
        return t;
    });
}
