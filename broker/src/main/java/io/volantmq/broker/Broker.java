package io.volantmq.broker;

import io.volantmq.broker.admin.AdminServer;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.EnhancedAuthMechanism;
import io.volantmq.broker.auth.ListenerAccessControl;
import io.volantmq.broker.auth.Security;
import io.volantmq.broker.cluster.ClusterLink;
import io.volantmq.broker.cluster.ClusterLinks;
import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.config.ConfigReload;
import io.volantmq.broker.config.ReloadReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.plugin.PluginHost;
import io.volantmq.broker.plugin.PluginLoader;
import io.volantmq.broker.plugin.PluginSettings;
import io.volantmq.plugin.api.BrokerServices;
import io.volantmq.plugin.api.Plugin;
import io.volantmq.persistence.buffered.BufferedStore;
import io.volantmq.broker.store.GuardedStore;
import io.volantmq.persistence.StoreHealth;
import io.volantmq.broker.session.SessionRegistry;
import io.volantmq.broker.sys.SysTreePublisher;
import io.volantmq.broker.transport.ListenerSpec;
import io.volantmq.broker.transport.Listeners;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Providers;
import io.volantmq.persistence.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.Objects;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The broker: build it, {@link #start()} it, {@link #close()} it. Everything is wired here, by hand.
 *
 * <pre>{@code
 * try (Broker broker = Broker.builder().config(BrokerConfig.builder().listener("tcp://127.0.0.1:1883").build())
 *         .build().start()) {
 *     ...
 * }
 * }</pre>
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    private final BrokerConfig config;
    private final BrokerEvents events;
    private Store store;
    private BrokerContext context;
    private Listeners listeners;
    private Security security;
    private GuardedStore guarded;
    private BufferedStore buffered;
    /** Session expiry and delayed wills, checked once a second. */
    private ScheduledExecutorService housekeeping;
    /** Observability: the $SYS tree and the admin HTTP endpoint, each off unless configured. */
    private SysTreePublisher sysTree;
    private AdminServer admin;
    /** Modules found on the class path that the settings asked for (bridges). */
    private final List<BrokerModule.Running> modules = new ArrayList<>();
    /** Held here: meters read it through weak references. */
    private BrokerStats stats;
    private boolean closed;
    /** The other nodes; {@link ClusterLink#NONE} on a single node. */
    private ClusterLink cluster = ClusterLink.NONE;

    private final List<EnhancedAuthMechanism> authMechanisms;
    /** Plugins an embedder added; those in the plugins folder are found at start. */
    private final List<Plugin> embeddedPlugins;
    private PluginHost plugins;
    private BrokerServices services;
    private final BrokerMetrics metrics;
    /** Re-reads the configuration sources on {@link #reload()}; null: the files only (an embedder's broker). */
    private final ConfigReload configReload;

    private Broker(BrokerConfig config, BrokerEvents events, List<EnhancedAuthMechanism> authMechanisms,
                   MeterRegistry meterRegistry, ConfigReload configReload, List<Plugin> embeddedPlugins) {
        this.config = config;
        this.embeddedPlugins = embeddedPlugins;
        this.configReload = configReload;
        this.events = events;
        this.authMechanisms = authMechanisms;
        this.metrics = new BrokerMetrics(meterRegistry);
    }

    /** The broker's meters; {@code $SYS}, {@code /metrics} and the admin API read them. */
    public BrokerMetrics metrics() {
        return metrics;
    }

    /**
     * The broker's services for an embedder, the same plugins get: publish as the broker, inspect and
     * disconnect clients, read retained messages. Available once {@link #start()} returned.
     */
    public BrokerServices services() {
        if (services == null) {
            throw new IllegalStateException("the broker is not started");
        }
        return services;
    }

    /** The ids of the plugins running, in load order. */
    public List<String> plugins() {
        return plugins == null ? List.of() : plugins.ids();
    }

    /** The wired core, for the observability and admin parts of this broker. */
    public BrokerContext context() {
        return context;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Opens the store, restores sessions, subscriptions and retained messages, then binds the listeners. */
    public synchronized Broker start() {
        if (listeners != null) {
            throw new IllegalStateException("broker already started");
        }
        long startedAt = System.currentTimeMillis();
        boolean withSysTree = SysTreePublisher.enabled(config.settings()); // bad values fail before anything opens
        long sysTreeInterval = SysTreePublisher.intervalSeconds(config.settings());
        ClusterLinks.Factory clusterFactory = ClusterLinks.factory(config.settings(), Broker.class.getClassLoader());
        String persistence = config.persistence();
        java.util.Properties persistenceProperties = config.persistenceProperties();
        if (clusterFactory != null) {
            // every node's sessions, queues and retained messages live in the one shared store
            persistence = ClusterLinks.persistence(clusterFactory, persistence);
            persistenceProperties = clusterFactory.persistenceProperties(config.settings(), persistenceProperties);
        }
        Provider provider = Providers.select(persistence, Broker.class.getClassLoader());
        Store opened = provider.open(ProviderConfig.fromProperties(provider.name(), persistenceProperties));
        // a durable store can fail at run time (network, disk): fail fast and report it instead of blocking
        guarded = provider.durable() ? new GuardedStore(opened, provider.name(), 1000) : null;
        store = guarded != null ? guarded : opened;
        if (provider.durable() && Boolean.parseBoolean(config.persistenceProperties()
                .getProperty("volantmq.persistence.buffer", config.settings().getOrDefault("persistence.buffer", "false")))) {
            long interval = Long.parseLong(config.persistenceProperties().getProperty(
                    "volantmq.persistence.buffer.syncIntervalMs",
                    config.settings().getOrDefault("persistence.buffer.syncIntervalMs", "1000")).trim());
            buffered = new BufferedStore(store, provider.name(),
                    BufferedStore.Options.DEFAULTS.withSyncIntervalMillis(interval));
            store = buffered;
            log.info("persistence: buffered write-behind every {} ms: a crash loses at most that much of what was"
                    + " acknowledged", interval);
        }
        // a session that ends with its connection keeps nothing across a restart: its queue stays on the heap
        MessageStore endingSessionQueues = store.messages();
        if (!provider.durable()) {
            log.info("persistence: '{}' - sessions, queues and retained messages do not survive a restart",
                    provider.name());
        } else {
            log.info("persistence: '{}'", provider.name()); // this exact line is what log readers look for
            log.info("queues of sessions that end with their connection stay in memory (nothing of them survives it)");
            endingSessionQueues = Providers.select("memory", Broker.class.getClassLoader())
                    .open(new ProviderConfig("memory", java.util.Map.of())).messages();
        }
        try {
            // plugins first: their auth providers join the listeners' chains, their authorizers the ACL
            PluginSettings pluginSettings = PluginSettings.from(config.settings());
            plugins = PluginHost.start(pluginSettings, config.settings(),
                    PluginLoader.find(pluginSettings, embeddedPlugins, Broker.class.getClassLoader()), metrics.registry());
            security = Security.open(config, plugins.authProviders()); // auth providers and ACLs; fails fast on bad settings
            context = BrokerContext.wire(config, store, endingSessionQueues,
                    accessControl(config, plugins, security.accessControl()), authMechanisms, metrics, events, plugins);
            services = new BrokerServicesImpl(context);
            plugins.services(services);
            if (context.groupCommit() != null) {
                BrokerGauges.register(metrics.registry(), context.groupCommit(), context.lanes());
            }
            int restoredRetained = context.retained().recover(System.currentTimeMillis());
            if (clusterFactory != null) {
                cluster = clusterFactory.create(config.settings(), config.nodeName());
                context.tree().cluster(cluster);
                context.router().cluster(cluster);
                context.sessions().cluster(cluster);
                cluster.start(new ClusterCoreHost(context, opened));
            }
            int restoredSessions = cluster.recoverSessionsAtStart() ? context.sessions().recover() : 0;
            if (restoredRetained > 0 || restoredSessions > 0) {
                log.info("restored {} persistent sessions and {} retained messages", restoredSessions,
                        restoredRetained);
            }
            startModules();
            listeners = new Listeners(context, security);
            listeners.start();
            config.defaultListenerHint().ifPresent(log::info);
            housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "volantmq-housekeeping");
                t.setDaemon(true);
                return t;
            });
            SessionRegistry sessions = context.sessions();
            long sharedAckTimeoutMillis = 1000L * Long.parseLong(
                    config.settings().getOrDefault("sharedAckTimeout", "30").trim());
            // a periodic task that throws is never run again: catch everything, Errors too (a
            // StackOverflowError once stopped delayed wills and session expiry for good)
            housekeeping.scheduleWithFixedDelay(() -> {
                try {
                    long now = System.currentTimeMillis();
                    sessions.expire(now);
                    sessions.moveStaleShared(now, sharedAckTimeoutMillis);
                } catch (Throwable e) {
                    log.error("session expiry check failed; trying again in a second", e);
                }
            }, 1, 1, TimeUnit.SECONDS);
            stats = new BrokerStats(context, metrics.registry(), this::storeHealth,
                    listeners.boundAddresses(), startedAt);
            BrokerGauges.register(stats);
            if (withSysTree) {
                sysTree = SysTreePublisher.start(stats, sysTreeInterval);
            } else if (SysTreePublisher.purge(stats) > 0) {
                log.info("$SYS tree off (volantmq.withSystree=false): removed the values an earlier run retained");
            }
            if (AdminServer.enabled(config.settings())) {
                admin = AdminServer.start(stats, security, this::reload, moduleViews());
            }
        } catch (RuntimeException e) {
            if (sysTree != null) {
                sysTree.close();
            }
            if (housekeeping != null) { // the listeners are up (they close themselves when they fail to bind)
                housekeeping.shutdownNow();
                housekeeping = null;
                listeners.close();
            }
            listeners = null;
            closeModules();
            if (security != null) {
                security.close();
            }
            if (plugins != null) {
                plugins.close();
            }
            cluster.close();
            closeGroupCommit();
            store.close();
            throw e;
        }
        log.info("VolantMQ node '{}' started", config.nodeName());
        return this;
    }

    /** The cluster this node is part of ({@link ClusterLink#NONE} when single). */
    public ClusterLink cluster() {
        return cluster;
    }

    /** The bound listener addresses, in configuration order (a port 0 resolves to the real one). */
    public List<InetSocketAddress> boundAddresses() {
        return listeners == null ? List.of() : listeners.boundAddresses();
    }

    /** Where the admin HTTP endpoint listens (port 0 resolved), or null when it is off. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    /** Whether the store answers; a memory store always does. */
    public StoreHealth storeHealth() {
        if (buffered != null && !buffered.health().healthy()) {
            return buffered.health();
        }
        return guarded != null ? guarded.health() : new StoreHealth(true, null, 0, 0);
    }

    public BrokerConfig config() {
        return config;
    }

    /** Sessions known to the broker, online or not. */
    public int sessionCount() {
        return context.sessions().size();
    }

    /** Messages dropped because a session queue was full. */
    public long droppedQueuedMessages() {
        return context.router().limits().dropped();
    }

    /**
     * Applies what can change without a restart (SIGHUP and {@code POST /api/reload} come here): password,
     * ACL and TLS files are checked at once, and with a {@link ConfigReload} the configuration sources are
     * read again (see there).
     */
    public ReloadReport reload() {
        Security current;
        synchronized (this) {
            if (listeners == null || closed) {
                throw new IllegalStateException("the broker is not running");
            }
            current = security;
        }
        return configReload != null ? configReload.reload(current.reloader()::checkNow)
                : ReloadReport.filesOnly(current.reloader().checkNow());
    }

    @Override
    public synchronized void close() {
        if (closed || listeners == null) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.close();
        }
        if (sysTree != null) {
            sysTree.close();
        }
        housekeeping.shutdownNow();
        listeners.close();
        closeModules();
        cluster.close();
        security.close();
        plugins.close();
        closeGroupCommit();
        store.close();
        log.info("VolantMQ node '{}' stopped", config.nodeName());
    }

    private void startModules() {
        for (BrokerModule module : ServiceLoader.load(BrokerModule.class, Broker.class.getClassLoader())) {
            BrokerModule.Running running = module.start(context);
            if (running != null) {
                modules.add(running);
            }
        }
    }

    private Map<String, Supplier<Object>> moduleViews() {
        Map<String, Supplier<Object>> views = new LinkedHashMap<>();
        for (BrokerModule.Running m : modules) {
            if (m.resource() != null) {
                views.put(m.resource(), m::status);
            }
        }
        return views;
    }

    /** Before the store closes: a module may still be writing to it. */
    private void closeModules() {
        for (int i = modules.size() - 1; i >= 0; i--) {
            try {
                modules.get(i).close();
            } catch (RuntimeException e) {
                log.warn("closing a broker module failed", e);
            }
        }
        modules.clear();
    }

    /** Its last sync answers whoever still waits, before the store closes under it; the store lanes' likewise. */
    private void closeGroupCommit() {
        if (context != null && context.lanes() != null) {
            context.lanes().close();
        }
        if (context != null && context.groupCommit() != null) {
            context.groupCommit().close();
        }
    }

    /** Builds a {@link Broker}; {@link #config} defaults to {@link BrokerConfig#builder()}'s defaults. */
    public static final class Builder {
        private BrokerConfig config = BrokerConfig.builder().build();
        private BrokerEvents events = BrokerEvents.NONE;
        private final List<EnhancedAuthMechanism> authMechanisms = new ArrayList<>();
        private MeterRegistry meterRegistry;
        private ConfigReload configReload;
        private final List<Plugin> plugins = new ArrayList<>();

        /**
         * Adds a plugin in-process (issue 12), started before those in the plugins folder, with the broker's
         * class loader; it is enabled without being named in {@code volantmq.plugins}.
         */
        public Builder plugin(Plugin plugin) {
            plugins.add(Objects.requireNonNull(plugin));
            return this;
        }

        /** What {@link Broker#reload()} reads again besides the watched files (the server's sources). */
        public Builder configReload(ConfigReload reload) {
            this.configReload = Objects.requireNonNull(reload);
            return this;
        }

        /**
         * Where the broker's meters live. By default a Prometheus registry (with JVM meters) when the admin
         * endpoint is on ({@code volantmq.adminAddr}), so {@code /metrics} has something to show, else a simple
         * in-memory one.
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry);
            return this;
        }

        public Builder config(BrokerConfig config) {
            this.config = Objects.requireNonNull(config);
            return this;
        }

        public Builder events(BrokerEvents events) {
            this.events = Objects.requireNonNull(events);
            return this;
        }

        /**
         * Adds an MQTT 5 enhanced authentication method, e.g. {@code new ScramSha256Mechanism(store)}. It is
         * allowed only on listeners whose {@code volantmq.auth} names its method, e.g.
         * {@code auth=anonymous,SCRAM-SHA-256}; elsewhere a CONNECT with it gets 0x8C.
         */
        public Builder authMechanism(EnhancedAuthMechanism mechanism) {
            authMechanisms.add(Objects.requireNonNull(mechanism));
            return this;
        }

        public Broker build() {
            MeterRegistry registry = meterRegistry != null ? meterRegistry
                    : AdminServer.enabled(config.settings()) ? AdminServer.prometheusRegistry() : new SimpleMeterRegistry();
            return new Broker(config, events, List.copyOf(authMechanisms), registry, configReload, List.copyOf(plugins));
        }
    }
    /**
     * The authorization chains: {@code acl} (broker-wide or per listener) names plugins' authorizers and
     * {@code file}; unset, every plugin authorizer in load order, then the ACL file. A listener's chain is
     * found by its address, so two listeners with their own chains must not share one.
     */
    private static AccessControl accessControl(BrokerConfig config, PluginHost plugins, AccessControl file) {
        Settings global = Settings.global(config.settings());
        String globalNames = global.string("acl", null);
        AccessControl fallback = globalNames == null ? plugins.accessControl(file)
                : plugins.accessControl(aclNames(globalNames), file, global);
        Map<String, AccessControl> byListener = new HashMap<>();
        Map<String, Integer> addresses = new HashMap<>();
        for (URI uri : config.listeners()) {
            ListenerSpec spec = ListenerSpec.parse(uri, config);
            String address = spec.publicUri().toString();
            addresses.merge(address, 1, Integer::sum);
            String own = spec.settings().string("acl", null);
            if (own != null && !own.equals(globalNames)) {
                byListener.put(address, plugins.accessControl(aclNames(own), file, spec.settings()));
            }
        }
        for (String address : byListener.keySet()) {
            if (addresses.get(address) > 1) {
                throw new IllegalArgumentException("listener " + address + ": volantmq.acl per listener needs an "
                        + "address of its own, and " + addresses.get(address) + " listeners share it");
            }
        }
        return ListenerAccessControl.of(fallback, byListener);
    }

    private static List<String> aclNames(String names) {
        return java.util.Arrays.stream(names.split(",")).map(String::trim).filter(n -> !n.isEmpty()).toList();
    }
}
