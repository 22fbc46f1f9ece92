package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.codec.RecordCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/** Sessions by client id. */
final class MapDbSessions implements SessionStore {
    private final MapDbStore store;

    MapDbSessions(MapDbStore store) {
        this.store = store;
    }

    @Override
    public void put(SessionState state) {
        Objects.requireNonNull(state, "state");
        store.write("storing the session of " + state.clientId(), () -> {
            store.files().sessions.put(state.clientId(), RecordCodec.session(state));
            return true;
        });
    }

    @Override
    public Optional<SessionState> get(String clientId) {
        return store.read("reading the session of " + clientId, () -> Optional.ofNullable(store.files().sessions.get(clientId)).map(RecordCodec::session));
    }

    @Override
    public void delete(String clientId) {
        store.write("deleting the session of " + clientId, () -> store.files().sessions.remove(clientId) != null);
    }

    /** Visits a copy, so a visitor may change the store without waiting on its own read lock. */
    @Override
    public void forEach(Consumer<SessionState> visitor) {
        List<SessionState> all = store.read("visiting sessions", () -> new ArrayList<>(
                store.files().sessions.values().stream().map(RecordCodec::session).toList()));
        all.forEach(visitor);
    }
}
