package io.volantmq.broker.store;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.SubscriptionStore;

import java.util.List;
import java.util.function.BiConsumer;

/** {@link SubscriptionStore} behind the breaker of a {@link GuardedStore}: plain delegation. */
final class GuardedSubscriptionStore implements SubscriptionStore {
    private final GuardedStore guard;
    private final SubscriptionStore target;

    GuardedSubscriptionStore(GuardedStore guard, SubscriptionStore target) {
        this.guard = guard;
        this.target = target;
    }

    @Override
    public void put(String clientId, StoredSubscription subscription) {
        guard.enter();
        try {
            target.put(clientId, subscription);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public void delete(String clientId, String filter) {
        guard.enter();
        try {
            target.delete(clientId, filter);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public void deleteAll(String clientId) {
        guard.enter();
        try {
            target.deleteAll(clientId);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public List<StoredSubscription> get(String clientId) {
        guard.enter();
        List<StoredSubscription> result;
        try {
            result = target.get(clientId);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
        return result;
    }

    @Override
    public void forEach(BiConsumer<String, StoredSubscription> visitor) {
        guard.enter();
        try {
            target.forEach(visitor);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }
}
