package io.volantmq.persistence.memory;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;

/**
 * The embedded default: everything lives on the heap, nothing survives a restart. Fast, and says so
 * ({@link #durable()} is false), so the broker can warn that persistent sessions are memory-only.
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
    public Store open(ProviderConfig config) {
        return new MemoryStore();
    }
}
