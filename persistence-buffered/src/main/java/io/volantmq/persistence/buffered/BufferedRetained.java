package io.volantmq.persistence.buffered;

import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.StoredMessage;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/** The retained messages of a {@link BufferedStore}: the newest waiting message per topic over the backend's. */
final class BufferedRetained implements RetainedStore {
    private final RetainedStore backend;
    private final BufferedKeyValues<StoredMessage> view;

    BufferedRetained(BufferedStore store, RetainedStore backend) {
        this.backend = backend;
        this.view = new BufferedKeyValues<>(store, new BufferedKeyValues.Backend<>() {
            @Override
            public void put(StoredMessage value) {
                backend.put(value);
            }

            @Override
            public void delete(String key) {
                backend.delete(key);
            }

            @Override
            public Optional<StoredMessage> get(String key) {
                return backend.get(key);
            }

            @Override
            public void forEach(Consumer<StoredMessage> visitor) {
                backend.forEach(visitor);
            }
        }, StoredMessage::topic, BufferedMessages::weight, "retained");
    }

    @Override
    public void put(StoredMessage message) {
        Objects.requireNonNull(message, "message");
        view.set(message.topic(), message);
    }

    @Override
    public void delete(String topic) {
        view.set(topic, null);
    }

    @Override
    public Optional<StoredMessage> get(String topic) {
        return view.get(topic);
    }

    @Override
    public long count() {
        return view.count(backend::count);
    }

    @Override
    public void forEach(Consumer<StoredMessage> visitor) {
        view.forEach(visitor);
    }
}
