package io.volantmq.persistence.memory;

import io.volantmq.persistence.AbstractProvider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;

import java.util.Set;

/**
 * The embedded default: everything lives on the heap, nothing survives a restart. Fast, and says so
 * ({@link #durable()} is false), so the broker can warn that persistent sessions are memory-only.
 * It has no settings: any {@code volantmq.persistence.memory.*} key is refused.
 */
public final class MemoryProvider extends AbstractProvider {
    public static final String NAME = "memory";

    public MemoryProvider() {
        super(NAME, false, Set.of());
    }

    @Override
    protected Store openChecked(ProviderConfig config) {
        return new MemoryStore();
    }
}
