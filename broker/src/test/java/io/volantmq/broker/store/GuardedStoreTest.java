package io.volantmq.broker.store;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Providers;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.SubscriptionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The breaker in front of a durable store, over the real memory store; a thin wrapper around its
 * session store injects backend failures (as a lost Redis or a full disk would) and counts the calls
 * that reached the backend.
 */
class GuardedStoreTest {
    private final Store memory = Providers.select("memory", getClass().getClassLoader())
            .open(new ProviderConfig("memory", Map.of()));
    private final FailingSessions sessions = new FailingSessions(memory.sessions());
    private final Store backend = new Store() {
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

    @AfterEach
    void close() {
        backend.close();
    }

    private static SessionState session(String clientId) {
        return new SessionState(clientId, 5, 60, 0, null, 0);
    }

    @Test
    void subStoresAreDirectDelegatesNotReflectiveProxies() {
        GuardedStore guarded = new GuardedStore(backend, "test", 1000);

        assertThat(Proxy.isProxyClass(guarded.sessions().getClass())).isFalse();
        assertThat(Proxy.isProxyClass(guarded.subscriptions().getClass())).isFalse();
        assertThat(Proxy.isProxyClass(guarded.retained().getClass())).isFalse();
        assertThat(Proxy.isProxyClass(guarded.messages().getClass())).isFalse();
    }

    @Test
    void everySubStoreReachesItsBackend() {
        GuardedStore guarded = new GuardedStore(backend, "test", 1000);
        StoredMessage message = new StoredMessage("t/1", 1, true,
                "m".getBytes(StandardCharsets.UTF_8), null, System.currentTimeMillis(), 0);

        guarded.sessions().put(session("c1"));
        guarded.subscriptions().put("c1", new StoredSubscription("t/#", 1, false, false, 0, 0));
        guarded.retained().put(message);
        guarded.messages().enqueue(message, List.of(new QueueTarget("c1", 1, false, null)));
        guarded.messages().addIncomingQos2("c1", 7);

        assertThat(memory.sessions().get("c1")).map(SessionState::clientId).contains("c1");
        assertThat(guarded.subscriptions().get("c1")).extracting(StoredSubscription::filter).containsExactly("t/#");
        assertThat(guarded.retained().count()).isEqualTo(1);
        assertThat(guarded.retained().get("t/1")).isPresent();
        assertThat(guarded.messages().read("c1", 0, 10)).hasSize(1);
        assertThat(guarded.messages().incomingQos2("c1")).containsExactly(7);
        List<String> visited = new ArrayList<>();
        guarded.sessions().forEach(s -> visited.add(s.clientId()));
        assertThat(visited).containsExactly("c1");
        assertThat(guarded.health().healthy()).isTrue();
        assertThat(guarded.health().failedCalls()).isZero();
    }

    @Test
    void aFailureOpensTheBreakerAndLaterCallsFailFastWithoutReachingTheBackend() {
        GuardedStore guarded = new GuardedStore(backend, "redis", 3_600_000);
        sessions.failing = true;

        assertThatThrownBy(() -> guarded.sessions().put(session("c1")))
                .isInstanceOf(PersistenceException.class).hasMessageContaining("backend down");
        assertThat(guarded.health().healthy()).isFalse();
        assertThat(guarded.health().lastError()).contains("backend down");
        int reached = sessions.calls.get();

        // Another sub-store shares the breaker: it fails fast too, naming the store and the cause.
        assertThatThrownBy(() -> guarded.retained().count())
                .isInstanceOf(PersistenceException.class)
                .hasMessageContaining("store 'redis' unavailable").hasMessageContaining("backend down");
        assertThatThrownBy(() -> guarded.sessions().get("c1")).isInstanceOf(PersistenceException.class);
        assertThatThrownBy(guarded::sync).isInstanceOf(PersistenceException.class);

        assertThat(sessions.calls.get()).isEqualTo(reached);
        assertThat(guarded.health().failedCalls()).isEqualTo(4);
    }

    @Test
    void aProbeThatSucceedsClosesTheBreaker() {
        GuardedStore guarded = new GuardedStore(backend, "redis", 0); // every call after a failure is a probe
        sessions.failing = true;
        assertThatThrownBy(() -> guarded.sessions().delete("c1")).isInstanceOf(PersistenceException.class);
        assertThat(guarded.health().healthy()).isFalse();

        sessions.failing = false;
        guarded.sessions().put(session("c1"));

        assertThat(guarded.health().healthy()).isTrue();
        assertThat(guarded.health().failedCalls()).isEqualTo(1);
        assertThat(guarded.sessions().get("c1")).isPresent();
    }

    @Test
    void otherExceptionsPassThroughUnchangedAndDoNotOpenTheBreaker() {
        GuardedStore guarded = new GuardedStore(backend, "redis", 3_600_000);
        IllegalStateException bug = new IllegalStateException("visitor bug");

        guarded.sessions().put(session("c1"));
        assertThatThrownBy(() -> guarded.sessions().forEach(s -> {
            throw bug;
        })).isSameAs(bug);

        assertThat(guarded.health().healthy()).isTrue();
        assertThat(guarded.health().failedCalls()).isZero();
    }

    /** The memory store's sessions, failing on demand. */
    private static final class FailingSessions implements SessionStore {
        private final SessionStore target;
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean failing;

        FailingSessions(SessionStore target) {
            this.target = target;
        }

        private void maybeFail() {
            calls.incrementAndGet();
            if (failing) {
                throw new PersistenceException("backend down");
            }
        }

        @Override
        public void put(SessionState state) {
            maybeFail();
            target.put(state);
        }

        @Override
        public Optional<SessionState> get(String clientId) {
            maybeFail();
            return target.get(clientId);
        }

        @Override
        public void delete(String clientId) {
            maybeFail();
            target.delete(clientId);
        }

        @Override
        public void forEach(Consumer<SessionState> visitor) {
            maybeFail();
            target.forEach(visitor);
        }
    }
}
