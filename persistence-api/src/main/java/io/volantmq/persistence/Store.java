package io.volantmq.persistence;

/**
 * An open store: four small synchronous domains. Every method of every domain is thread-safe; the
 * broker never calls concurrently for the same client id except through
 * {@link MessageStore#enqueue}, which may touch many queues at once. A method returns only once
 * its change is as durable as the backend promises ({@link Provider#durable()}).
 */
public interface Store extends AutoCloseable {

    SessionStore sessions();

    SubscriptionStore subscriptions();

    RetainedStore retained();

    MessageStore messages();

    /** How many threads may usefully call this store at once (the broker's number of store lanes). */
    int maxConcurrency();

    /** Flushes and releases everything; the store is unusable afterwards. */
    @Override
    void close();
}
