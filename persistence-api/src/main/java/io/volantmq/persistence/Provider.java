package io.volantmq.persistence;

/**
 * A storage backend, found with {@link java.util.ServiceLoader}. Each backend module registers one
 * in {@code META-INF/services/io.volantmq.persistence.Provider}.
 */
public interface Provider {

    /** The name users pick it by, e.g. {@code memory}, {@code rocksdb}; also its property prefix. */
    String name();

    /** False when nothing survives a restart (the memory backend). */
    boolean durable();

    /**
     * Opens (creating if missing, recovering if damaged) the store this provider manages.
     *
     * @throws PersistenceException when the store cannot be opened; the message says why and where
     */
    Store open(ProviderConfig config);
}
