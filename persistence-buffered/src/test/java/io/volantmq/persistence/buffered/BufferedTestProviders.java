package io.volantmq.persistence.buffered;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.memory.MemoryProvider;
import io.volantmq.persistence.rocksdb.RocksDbProvider;

import java.util.HashMap;
import java.util.Map;

/**
 * Test-only providers that open a backend and wrap it in a {@link BufferedStore}, so the
 * persistence contract suite (and its child JVMs) can open buffered stores by name. Registered in
 * this module's test {@code META-INF/services}. Their own setting is {@code syncIntervalMs}; every
 * other key goes to the backend.
 */
public final class BufferedTestProviders {
    static final String SYNC_INTERVAL = "syncIntervalMs";

    private BufferedTestProviders() {
    }

    abstract static class Buffered implements Provider {
        private final Provider backend;

        Buffered(Provider backend) {
            this.backend = backend;
        }

        @Override
        public String name() {
            return "buffered-" + backend.name();
        }

        @Override
        public boolean durable() {
            return backend.durable();
        }

        @Override
        public java.util.Set<String> settingKeys() {
            java.util.Set<String> keys = new java.util.HashSet<>(backend.settingKeys());
            keys.add(SYNC_INTERVAL);
            return keys;
        }

        @Override
        public Store open(ProviderConfig config) {
            io.volantmq.persistence.SettingKeys.check(config, settingKeys());
            Map<String, String> values = new HashMap<>(config.values());
            String interval = values.remove(SYNC_INTERVAL);
            BufferedStore.Options options = BufferedStore.Options.DEFAULTS;
            if (interval != null) {
                options = options.withSyncIntervalMillis(Long.parseLong(interval));
            }
            Store opened = backend.open(new ProviderConfig(backend.name(), values));
            return new BufferedStore(opened, name(), options);
        }
    }

    /** {@code buffered-memory}: not durable, like the memory backend. */
    public static final class Memory extends Buffered {
        public Memory() {
            super(new MemoryProvider());
        }
    }

    /** {@code buffered-rocksdb}: durable, with RocksDB's {@code path} and {@code fsync}. */
    public static final class RocksDb extends Buffered {
        public RocksDb() {
            super(new RocksDbProvider());
        }
    }
}
