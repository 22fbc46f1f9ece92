package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.RecordCodec;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Retained messages by topic. RocksDB has no exact key count, so the count is kept in memory:
 * counted once at open and changed under the topic's lock when a put adds or a delete removes.
 */
final class RocksDbRetained implements RetainedStore {
    private final RocksDbStore store;
    private final AtomicLong count = new AtomicLong();

    RocksDbRetained(RocksDbStore store) throws RocksDBException {
        this.store = store;
        try (RocksIterator it = store.iterator(store.files().retained())) {
            long n = 0;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
            it.status();
            count.set(n);
        }
    }

    @Override
    public void put(StoredMessage message) {
        Objects.requireNonNull(message, "message");
        byte[] key = Keys.utf8(message.topic());
        byte[] value = RecordCodec.message(message);
        store.run("storing the retained message of " + message.topic(), () -> {
            try (Stripes.Held held = store.topicLocks().lock(message.topic())) {
                boolean added = store.db().get(store.files().retained(), key) == null;
                store.db().put(store.files().retained(), store.writeOptions(), key, value);
                if (added) {
                    count.incrementAndGet();
                }
            }
        });
    }

    @Override
    public void delete(String topic) {
        byte[] key = Keys.utf8(topic);
        store.run("deleting the retained message of " + topic, () -> {
            try (Stripes.Held held = store.topicLocks().lock(topic)) {
                if (store.db().get(store.files().retained(), key) != null) {
                    store.db().delete(store.files().retained(), store.writeOptions(), key);
                    count.decrementAndGet();
                }
            }
        });
    }

    @Override
    public Optional<StoredMessage> get(String topic) {
        byte[] value = store.call("reading the retained message of " + topic,
                () -> store.db().get(store.files().retained(), Keys.utf8(topic)));
        return value == null ? Optional.empty() : Optional.of(Values.message(value));
    }

    @Override
    public long count() {
        return count.get();
    }

    @Override
    public void forEach(Consumer<StoredMessage> visitor) {
        store.run("visiting retained messages", () -> {
            try (RocksIterator it = store.iterator(store.files().retained())) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    visitor.accept(Values.message(it.value()));
                }
                it.status();
            }
        });
    }
}
