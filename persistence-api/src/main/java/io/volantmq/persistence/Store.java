package io.volantmq.persistence;

/**
 * An open store: four small synchronous domains. Every method of every domain is thread-safe; the
 * broker calls concurrently for the same client id only through {@link MessageStore#enqueue}, which
 * may touch many queues at once, and {@link MessageStore#removeAll} of acknowledged entries, which
 * may run on a store thread while the client's reads go on past those entries. A method returns only once
 * its change is as durable as the backend promises ({@link Provider#durable()}), or, for a store
 * whose {@link #durability()} is {@link Durability#ON_SYNC}, once a later {@link #sync()} returns.
 */
public interface Store extends AutoCloseable {

    SessionStore sessions();

    SubscriptionStore subscriptions();

    RetainedStore retained();

    MessageStore messages();

    /** How many threads may usefully call this store at once (the broker's number of store lanes). */
    int maxConcurrency();

    /** When a change becomes durable. */
    enum Durability {
        /** When the call that made it returns (or never, for a store that is not durable). */
        ON_RETURN,
        /**
         * When a later {@link #sync()} returns: group commit. Changes are visible to reads at once;
         * one sync covers every change made before it, whichever thread made it.
         */
        ON_SYNC
    }

    /** How this store's changes become durable; backends choose it from their {@code commit} setting. */
    default Durability durability() {
        return Durability.ON_RETURN;
    }

    /**
     * Makes every change whose call returned before this call durable, with as few disk syncs as
     * the backend can manage. Thread-safe; a no-op for {@link Durability#ON_RETURN} stores. Throws
     * {@link PersistenceException} when it cannot: then none of those changes may be acknowledged.
     */
    default void sync() {
    }

    /**
     * Runs {@code changes} so that the writes it makes on this thread reach the backend together, in
     * one transaction, or not at all when it throws: the writes of one PUBLISH (its inbound QoS 2 id,
     * its queue entries, and what a cluster hands to other nodes) must never be split by a crash. The
     * default runs it as is (a backend whose every write is durable on return cannot group them).
     */
    default void together(Runnable changes) {
        changes.run();
    }

    /** Flushes and releases everything; the store is unusable afterwards. */
    @Override
    void close();
}
