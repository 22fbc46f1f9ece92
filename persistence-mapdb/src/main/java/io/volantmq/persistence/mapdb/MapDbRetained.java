package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.RecordCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/** Retained messages by topic. */
final class MapDbRetained implements RetainedStore {
    private final MapDbStore store;

    MapDbRetained(MapDbStore store) {
        this.store = store;
    }

    @Override
    public void put(StoredMessage message) {
        Objects.requireNonNull(message, "message");
        store.write("storing the retained message of " + message.topic(), () -> {
            store.files().retained.put(message.topic(), RecordCodec.message(message));
            return true;
        });
    }

    @Override
    public void delete(String topic) {
        store.write("deleting the retained message of " + topic, () -> store.files().retained.remove(topic) != null);
    }

    @Override
    public Optional<StoredMessage> get(String topic) {
        return store.read("reading the retained message of " + topic, () -> Optional.ofNullable(store.files().retained.get(topic)).map(RecordCodec::message));
    }

    @Override
    public long count() {
        return store.read("counting retained messages", () -> store.files().retained.sizeAsLong());
    }

    /** Visits a copy, so a visitor may change the store without waiting on its own read lock. */
    @Override
    public void forEach(Consumer<StoredMessage> visitor) {
        List<StoredMessage> all = store.read("visiting retained messages", () -> new ArrayList<>(
                store.files().retained.values().stream().map(RecordCodec::message).toList()));
        all.forEach(visitor);
    }
}
