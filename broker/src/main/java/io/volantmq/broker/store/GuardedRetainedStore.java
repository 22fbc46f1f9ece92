package io.volantmq.broker.store;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.StoredMessage;

import java.util.Optional;
import java.util.function.Consumer;

/** {@link RetainedStore} behind the breaker of a {@link GuardedStore}: plain delegation. */
final class GuardedRetainedStore implements RetainedStore {
    private final GuardedStore guard;
    private final RetainedStore target;

    GuardedRetainedStore(GuardedStore guard, RetainedStore target) {
        this.guard = guard;
        this.target = target;
    }

    @Override
    public void put(StoredMessage message) {
        guard.enter();
        try {
            target.put(message);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public void delete(String topic) {
        guard.enter();
        try {
            target.delete(topic);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public Optional<StoredMessage> get(String topic) {
        guard.enter();
        Optional<StoredMessage> result;
        try {
            result = target.get(topic);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
        return result;
    }

    @Override
    public long count() {
        guard.enter();
        long result;
        try {
            result = target.count();
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
        return result;
    }

    @Override
    public void forEach(Consumer<StoredMessage> visitor) {
        guard.enter();
        try {
            target.forEach(visitor);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }
}
