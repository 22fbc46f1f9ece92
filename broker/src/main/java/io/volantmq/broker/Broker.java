package io.volantmq.broker;

import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.session.BrokerContext;
import io.volantmq.broker.transport.Listeners;
import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Providers;
import io.volantmq.persistence.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

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
    private boolean closed;

    private Broker(BrokerConfig config, BrokerEvents events) {
        this.config = config;
        this.events = events;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Opens the store, restores sessions, subscriptions and retained messages, then binds the listeners. */
    public synchronized Broker start() {
        if (listeners != null) {
            throw new IllegalStateException("broker already started");
        }
        Provider provider = Providers.select(config.persistence(), Broker.class.getClassLoader());
        store = provider.open(ProviderConfig.fromProperties(provider.name(), config.persistenceProperties()));
        if (!provider.durable()) {
            log.info("persistence: '{}' - sessions, queues and retained messages do not survive a restart",
                    provider.name());
        } else {
            log.info("persistence: '{}'", provider.name());
        }
        try {
            context = BrokerContext.wire(config, store, AccessControl.ALLOW_ALL, events);
            int restoredRetained = context.retained().recover(System.currentTimeMillis());
            int restoredSessions = context.sessions().recover();
            if (restoredRetained > 0 || restoredSessions > 0) {
                log.info("restored {} persistent sessions and {} retained messages", restoredSessions,
                        restoredRetained);
            }
            listeners = new Listeners(context);
            listeners.start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        log.info("VolantMQ node '{}' started", config.nodeName());
        return this;
    }

    /** The bound listener addresses, in configuration order (a port 0 resolves to the real one). */
    public List<InetSocketAddress> boundAddresses() {
        return listeners == null ? List.of() : listeners.boundAddresses();
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

    @Override
    public synchronized void close() {
        if (closed || listeners == null) {
            return;
        }
        closed = true;
        listeners.close();
        store.close();
        log.info("VolantMQ node '{}' stopped", config.nodeName());
    }

    /** Builds a {@link Broker}; {@link #config} defaults to {@link BrokerConfig#builder()}'s defaults. */
    public static final class Builder {
        private BrokerConfig config = BrokerConfig.builder().build();
        private BrokerEvents events = BrokerEvents.NONE;

        public Builder config(BrokerConfig config) {
            this.config = Objects.requireNonNull(config);
            return this;
        }

        public Builder events(BrokerEvents events) {
            this.events = Objects.requireNonNull(events);
            return this;
        }

        public Broker build() {
            return new Broker(config, events);
        }
    }
}
