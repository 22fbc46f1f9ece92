package io.volantmq.persistence.memory;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.SettingKeys;
import io.volantmq.persistence.Store;

import java.util.Set;

/**
 * The embedded default: everything lives on the heap, nothing survives a restart. Fast, and says so
 * ({@link #durable()} is false), so the broker can warn that persistent sessions are memory-only.
 * It has no settings: any {@code volantmq.persistence.memory.*} key is refused.
 */
public final class MemoryProvider implements Provider {
    public static final String NAME = "memory";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of();
    }

    @Override
    public Store open(ProviderConfig config) {
        SettingKeys.check(config, Set.of());
        return new MemoryStore();
    }
}
