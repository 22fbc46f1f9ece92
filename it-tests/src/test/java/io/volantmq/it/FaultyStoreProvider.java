package io.volantmq.it;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.SubscriptionStore;
import io.volantmq.persistence.memory.MemoryProvider;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * A storage plugin, found like any other through {@code META-INF/services}, that behaves like the
 * memory backend except that deleting a session whose client id starts with {@link #DOOMED} throws
 * an {@link Error}, the way a backend whose native library or driver class is missing does. It lets
 * a test make the broker's housekeeping thread meet an Error through the real plugin boundary.
 */
public final class FaultyStoreProvider implements Provider {
    static final String NAME = "faulty-memory";
    static final String DOOMED = "doomed-";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public Store open(ProviderConfig config) {
        Store memory = new MemoryProvider().open(config);
        SessionStore sessions = new SessionStore() {
            @Override
            public void put(SessionState state) {
                memory.sessions().put(state);
            }

            @Override
            public Optional<SessionState> get(String clientId) {
                return memory.sessions().get(clientId);
            }

            @Override
            public void delete(String clientId) {
                if (clientId.startsWith(DOOMED)) {
                    throw new NoClassDefFoundError("io/example/MissingDriverClass (deleting session " + clientId + ")");
                }
                memory.sessions().delete(clientId);
            }

            @Override
            public void forEach(Consumer<SessionState> visitor) {
                memory.sessions().forEach(visitor);
            }
        };
        return new Store() {
            @Override
            public SessionStore sessions() {
                return sessions;
            }

            @Override
            public SubscriptionStore subscriptions() {
                return memory.subscriptions();
            }

            @Override
            public RetainedStore retained() {
                return memory.retained();
            }

            @Override
            public MessageStore messages() {
                return memory.messages();
            }

            @Override
            public int maxConcurrency() {
                return memory.maxConcurrency();
            }

            @Override
            public void close() {
                memory.close();
            }
        };
    }
}
