package io.volantmq.persistence;

import java.util.List;
import java.util.function.BiConsumer;

/** Subscriptions of persistent sessions. */
public interface SubscriptionStore {

    /** Adds the subscription, replacing one of the same client with the same filter. */
    void put(String clientId, StoredSubscription subscription);

    void delete(String clientId, String filter);

    void deleteAll(String clientId);

    /** The client's subscriptions in the order they were first added. */
    List<StoredSubscription> get(String clientId);

    /** Visits every subscription of every client (start-up recovery). */
    void forEach(BiConsumer<String, StoredSubscription> visitor);
}
