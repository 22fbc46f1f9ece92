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

    /**
     * The keys this backend reads ({@code path} for {@code volantmq.persistence.<name>.path}), so that the
     * broker's configuration loader can refuse a misspelled one before anything starts. Null (the
     * default): not declared, every {@code volantmq.persistence.<name>.*} key is handed to {@link #open}.
     * A backend that declares its keys should also refuse any other in {@link #open}, with
     * {@link SettingKeys#check} ({@link AbstractProvider} does), so that an embedder opening it directly
     * gets the same answer. The built-in backends declare theirs here and in the broker's settings
     * catalogue, which holds their types and defaults; a test keeps the two equal.
     */
    default java.util.Set<String> settingKeys() {
        return null;
    }
}
