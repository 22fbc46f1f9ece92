package io.volantmq.persistence.memory;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.SubscriptionStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Heap-backed store; every domain is a concurrent map. */
final class MemoryStore implements Store {
    private final Sessions sessions = new Sessions();
    private final Subscriptions subscriptions = new Subscriptions();
    private final Retained retained = new Retained();
    private final MemoryMessageStore messages = new MemoryMessageStore();

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public SubscriptionStore subscriptions() {
        return subscriptions;
    }

    @Override
    public RetainedStore retained() {
        return retained;
    }

    @Override
    public MessageStore messages() {
        return messages;
    }

    @Override
    public int maxConcurrency() {
        return Runtime.getRuntime().availableProcessors();
    }

    @Override
    public void close() {
        // nothing to flush: the heap goes with the process
    }

    private static final class Sessions implements SessionStore {
        private final Map<String, SessionState> byClient = new ConcurrentHashMap<>();

        @Override
        public void put(SessionState state) {
            byClient.put(state.clientId(), state);
        }

        @Override
        public Optional<SessionState> get(String clientId) {
            return Optional.ofNullable(byClient.get(clientId));
        }

        @Override
        public void delete(String clientId) {
            byClient.remove(clientId);
        }

        @Override
        public void forEach(Consumer<SessionState> visitor) {
            byClient.values().forEach(visitor);
        }
    }

    private static final class Subscriptions implements SubscriptionStore {
        // insertion-ordered per client; each inner map is guarded by itself
        private final Map<String, LinkedHashMap<String, StoredSubscription>> byClient = new ConcurrentHashMap<>();

        @Override
        public void put(String clientId, StoredSubscription subscription) {
            byClient.compute(clientId, (id, subs) -> {
                LinkedHashMap<String, StoredSubscription> next = subs == null ? new LinkedHashMap<>() : subs;
                next.put(subscription.filter(), subscription);
                return next;
            });
        }

        @Override
        public void delete(String clientId, String filter) {
            byClient.computeIfPresent(clientId, (id, subs) -> {
                subs.remove(filter);
                return subs.isEmpty() ? null : subs;
            });
        }

        @Override
        public void deleteAll(String clientId) {
            byClient.remove(clientId);
        }

        @Override
        public List<StoredSubscription> get(String clientId) {
            List<StoredSubscription> result = new ArrayList<>();
            byClient.computeIfPresent(clientId, (id, subs) -> {
                result.addAll(subs.values());
                return subs;
            });
            return result;
        }

        @Override
        public void forEach(BiConsumer<String, StoredSubscription> visitor) {
            for (String clientId : byClient.keySet()) {
                for (StoredSubscription subscription : get(clientId)) {
                    visitor.accept(clientId, subscription);
                }
            }
        }
    }

    private static final class Retained implements RetainedStore {
        private final Map<String, StoredMessage> byTopic = new ConcurrentHashMap<>();

        @Override
        public void put(StoredMessage message) {
            byTopic.put(message.topic(), message);
        }

        @Override
        public void delete(String topic) {
            byTopic.remove(topic);
        }

        @Override
        public Optional<StoredMessage> get(String topic) {
            return Optional.ofNullable(byTopic.get(topic));
        }

        @Override
        public long count() {
            return byTopic.size();
        }

        @Override
        public void forEach(Consumer<StoredMessage> visitor) {
            byTopic.values().forEach(visitor);
        }
    }
}
