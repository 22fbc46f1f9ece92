package io.volantmq.persistence.buffered;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.StoredMessage;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/** The sessions of a {@link BufferedStore}: the newest waiting state per client over the backend's. */
final class BufferedSessions implements SessionStore {
    private final BufferedKeyValues<SessionState> view;

    BufferedSessions(BufferedStore store, SessionStore backend) {
        this.view = new BufferedKeyValues<>(store, new BufferedKeyValues.Backend<>() {
            @Override
            public void put(SessionState value) {
                backend.put(value);
            }

            @Override
            public void delete(String key) {
                backend.delete(key);
            }

            @Override
            public Optional<SessionState> get(String key) {
                return backend.get(key);
            }

            @Override
            public void forEach(Consumer<SessionState> visitor) {
                backend.forEach(visitor);
            }
        }, SessionState::clientId, BufferedSessions::weight, "session");
    }

    private static long weight(SessionState state) {
        StoredMessage will = state.will();
        return will == null ? 0 : BufferedMessages.weight(will);
    }

    @Override
    public void put(SessionState state) {
        Objects.requireNonNull(state, "state");
        view.set(state.clientId(), state);
    }

    @Override
    public Optional<SessionState> get(String clientId) {
        return view.get(clientId);
    }

    @Override
    public void delete(String clientId) {
        view.set(clientId, null);
    }

    @Override
    public void forEach(Consumer<SessionState> visitor) {
        view.forEach(visitor);
    }
}
