package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.SubscriptionStore;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.RecordCodec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/** Subscriptions keyed by client NUL filter; the value keeps the order of first addition. */
final class MapDbSubscriptions implements SubscriptionStore {
    private final MapDbStore store;

    MapDbSubscriptions(MapDbStore store) {
        this.store = store;
    }

    @Override
    public void put(String clientId, StoredSubscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        String key = MapDbFiles.key(clientId, subscription.filter());
        store.write("storing a subscription of " + clientId, () -> {
            byte[] existing = store.files().subscriptions.get(key);
            long order = existing != null ? RecordCodec.subscription(existing).order() : MapDbMessages.nextIds(store.files(), 1);
            store.files().subscriptions.put(key, RecordCodec.subscription(new OrderedSubscription(order, subscription)));
            return true;
        });
    }

    @Override
    public void delete(String clientId, String filter) {
        store.write("deleting a subscription of " + clientId,
                () -> store.files().subscriptions.remove(MapDbFiles.key(clientId, filter)) != null);
    }

    @Override
    public void deleteAll(String clientId) {
        store.write("deleting the subscriptions of " + clientId, () -> {
            List<String> keys = MapDbFiles.keysOf(store.files().subscriptions, clientId);
            keys.forEach(store.files().subscriptions::remove);
            return !keys.isEmpty();
        });
    }

    @Override
    public List<StoredSubscription> get(String clientId) {
        return store.read("reading the subscriptions of " + clientId, () -> {
            List<OrderedSubscription> found = new ArrayList<>();
            MapDbFiles.range(store.files().subscriptions, clientId).forEach(e -> found.add(RecordCodec.subscription(e.getValue())));
            return found.stream().sorted(Comparator.comparingLong(OrderedSubscription::order))
                    .map(OrderedSubscription::subscription).toList();
        });
    }

    /** Visits a copy, grouped by client and in order of addition. */
    @Override
    public void forEach(BiConsumer<String, StoredSubscription> visitor) {
        List<Map.Entry<String, OrderedSubscription>> all = store.read("visiting subscriptions", () -> {
            List<Map.Entry<String, OrderedSubscription>> copy = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : store.files().subscriptions.entrySet()) {
                copy.add(Map.entry(MapDbFiles.clientOf(e.getKey()), RecordCodec.subscription(e.getValue())));
            }
            return copy;
        });
        all.sort(Comparator.comparing((Map.Entry<String, OrderedSubscription> e) -> e.getKey())
                .thenComparingLong(e -> e.getValue().order()));
        for (Map.Entry<String, OrderedSubscription> e : all) {
            visitor.accept(e.getKey(), e.getValue().subscription());
        }
    }
}
