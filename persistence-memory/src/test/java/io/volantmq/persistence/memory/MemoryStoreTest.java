package io.volantmq.persistence.memory;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.contract.StoreContract;

import java.nio.file.Path;
import java.util.Map;

/** The memory store is not durable: the suite checks that nothing survives a reopen instead. */
class MemoryStoreTest extends StoreContract {

    @Override
    protected Provider provider() {
        return new MemoryProvider();
    }

    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig(MemoryProvider.NAME, Map.of());
    }
}
