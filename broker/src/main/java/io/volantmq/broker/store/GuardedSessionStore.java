package io.volantmq.broker.store;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.SessionStore;

import java.util.Optional;
import java.util.function.Consumer;

/** {@link SessionStore} behind the breaker of a {@link GuardedStore}: plain delegation. */
final class GuardedSessionStore implements SessionStore {
    private final GuardedStore guard;
    private final SessionStore target;

    GuardedSessionStore(GuardedStore guard, SessionStore target) {
        this.guard = guard;
        this.target = target;
    }

    @Override
    public void put(SessionState state) {
        guard.enter();
        try {
            target.put(state);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public Optional<SessionState> get(String clientId) {
        guard.enter();
        Optional<SessionState> result;
        try {
            result = target.get(clientId);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
        return result;
    }

    @Override
    public void delete(String clientId) {
        guard.enter();
        try {
            target.delete(clientId);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public void forEach(Consumer<SessionState> visitor) {
        guard.enter();
        try {
            target.forEach(visitor);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }
}
