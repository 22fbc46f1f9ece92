package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.SubscriptionStore;
import io.volantmq.persistence.codec.OrderedSubscription;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/** Subscriptions keyed by (client id, filter); the value keeps the order of first addition. */
final class MapDbSubscriptions implements SubscriptionStore {
    private final MapDbStore store;

    MapDbSubscriptions(MapDbStore store) {
        this.store = store;
    }

    @Override
    public void put(String clientId, StoredSubscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        Object[] key = {clientId, subscription.filter()};
        store.write("storing a subscription of " + clientId, () -> {
            OrderedSubscription existing = store.files().subscriptions.get(key);
            long order = existing != null ? existing.order() : MapDbMessages.nextIds(store.files(), 1);
            store.files().subscriptions.put(key, new OrderedSubscription(order, subscription));
            return true;
        });
    }

    @Override
    public void delete(String clientId, String filter) {
        store.write("deleting a subscription of " + clientId,
                () -> store.files().subscriptions.remove(new Object[] {clientId, filter}) != null);
    }

    @Override
    public void deleteAll(String clientId) {
        store.write("deleting the subscriptions of " + clientId, () -> {
            Map<Object[], OrderedSubscription> all = store.files().subscriptions.prefixSubMap(new Object[] {clientId});
            if (all.isEmpty()) {
                return false;
            }
            all.clear();
            return true;
        });
    }

    @Override
    public List<StoredSubscription> get(String clientId) {
        return store.read("reading the subscriptions of " + clientId,
                () -> inOrder(new ArrayList<>(store.files().subscriptions.prefixSubMap(new Object[] {clientId}).values())));
    }

    /** Visits a copy, grouped by client and in order of addition. */
    @Override
    public void forEach(BiConsumer<String, StoredSubscription> visitor) {
        List<Map.Entry<Object[], OrderedSubscription>> all = store.read("visiting subscriptions",
                () -> new ArrayList<>(store.files().subscriptions.entrySet()));
        all.sort(Comparator.comparing((Map.Entry<Object[], OrderedSubscription> e) -> (String) e.getKey()[0])
                .thenComparingLong(e -> e.getValue().order()));
        for (Map.Entry<Object[], OrderedSubscription> e : all) {
            visitor.accept((String) e.getKey()[0], e.getValue().subscription());
        }
    }

    private static List<StoredSubscription> inOrder(List<OrderedSubscription> found) {
        return found.stream().sorted(Comparator.comparingLong(OrderedSubscription::order))
                .map(OrderedSubscription::subscription).toList();
    }
}
