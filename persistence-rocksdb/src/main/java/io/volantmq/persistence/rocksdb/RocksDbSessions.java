package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.codec.RecordCodec;
import org.rocksdb.RocksIterator;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/** Sessions by client id, one key each. */
final class RocksDbSessions implements SessionStore {
    private final RocksDbStore store;

    RocksDbSessions(RocksDbStore store) {
        this.store = store;
    }

    @Override
    public void put(SessionState state) {
        Objects.requireNonNull(state, "state");
        byte[] value = RecordCodec.session(state);
        store.run("storing the session of " + state.clientId(),
                () -> store.db().put(store.files().sessions(), store.writeOptions(), Keys.utf8(state.clientId()), value));
    }

    @Override
    public Optional<SessionState> get(String clientId) {
        byte[] value = store.call("reading the session of " + clientId,
                () -> store.db().get(store.files().sessions(), Keys.utf8(clientId)));
        return value == null ? Optional.empty() : Optional.of(Values.session(clientId, value));
    }

    @Override
    public void delete(String clientId) {
        store.run("deleting the session of " + clientId,
                () -> store.db().delete(store.files().sessions(), store.writeOptions(), Keys.utf8(clientId)));
    }

    @Override
    public void forEach(Consumer<SessionState> visitor) {
        store.run("visiting sessions", () -> {
            try (RocksIterator it = store.iterator(store.files().sessions())) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    visitor.accept(Values.session(Keys.string(it.key()), it.value()));
                }
                it.status();
            }
        });
    }
}
