package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.SubscriptionStore;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.RecordCodec;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Subscriptions keyed by client and filter, so a put of the same filter replaces in place. The
 * value carries the order the filter was first added in, which {@link #get} sorts by.
 */
final class RocksDbSubscriptions implements SubscriptionStore {
    private final RocksDbStore store;

    RocksDbSubscriptions(RocksDbStore store) {
        this.store = store;
    }

    @Override
    public void put(String clientId, StoredSubscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        byte[] key = Keys.subscription(clientId, subscription.filter());
        store.run("storing a subscription of " + clientId, () -> {
            try (Stripes.Held held = store.clientLocks().lock(clientId)) {
                byte[] existing = store.db().get(store.files().subscriptions(), key);
                long order = existing != null
                        ? Values.subscription(subscription.filter(), existing).order()
                        : store.ids().next(1);
                store.db().put(store.files().subscriptions(), store.writeOptions(), key,
                        RecordCodec.subscription(new OrderedSubscription(order, subscription)));
            }
        });
    }

    @Override
    public void delete(String clientId, String filter) {
        byte[] key = Keys.subscription(clientId, filter);
        store.run("deleting a subscription of " + clientId, () -> {
            try (Stripes.Held held = store.clientLocks().lock(clientId)) {
                store.db().delete(store.files().subscriptions(), store.writeOptions(), key);
            }
        });
    }

    @Override
    public void deleteAll(String clientId) {
        byte[] prefix = Keys.client(clientId);
        store.run("deleting the subscriptions of " + clientId, () -> {
            try (Stripes.Held held = store.clientLocks().lock(clientId)) {
                if (!scan(prefix).isEmpty()) {
                    store.db().deleteRange(store.files().subscriptions(), store.writeOptions(), prefix, Keys.prefixEnd(prefix));
                }
            }
        });
    }

    @Override
    public List<StoredSubscription> get(String clientId) {
        byte[] prefix = Keys.client(clientId);
        return store.call("reading the subscriptions of " + clientId, () -> scan(prefix));
    }

    private List<StoredSubscription> scan(byte[] prefix) throws org.rocksdb.RocksDBException {
        List<OrderedSubscription> found = new ArrayList<>();
        try (Slice upper = new Slice(Keys.prefixEnd(prefix));
             ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator it = store.db().newIterator(store.files().subscriptions(), options)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                found.add(Values.subscription(Keys.filterOf(it.key()), it.value()));
            }
            it.status();
        }
        return sorted(found);
    }

    @Override
    public void forEach(BiConsumer<String, StoredSubscription> visitor) {
        store.run("visiting subscriptions", () -> {
            try (RocksIterator it = store.iterator(store.files().subscriptions())) {
                // keys group by client: hand each client's filters out in the order they were added
                byte[] clientPrefix = null;
                String clientId = null;
                List<OrderedSubscription> batch = new ArrayList<>();
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] key = it.key();
                    if (clientPrefix == null || !startsWith(key, clientPrefix)) {
                        emit(clientId, batch, visitor);
                        clientId = Keys.clientOf(key);
                        clientPrefix = Keys.client(clientId);
                    }
                    batch.add(Values.subscription(Keys.filterOf(key), it.value()));
                }
                it.status();
                emit(clientId, batch, visitor);
            }
        });
    }

    private static void emit(String clientId, List<OrderedSubscription> batch, BiConsumer<String, StoredSubscription> visitor) {
        for (StoredSubscription subscription : sorted(batch)) {
            visitor.accept(clientId, subscription);
        }
        batch.clear();
    }

    private static List<StoredSubscription> sorted(List<OrderedSubscription> found) {
        return found.stream().sorted(Comparator.comparingLong(OrderedSubscription::order))
                .map(OrderedSubscription::subscription).toList();
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
