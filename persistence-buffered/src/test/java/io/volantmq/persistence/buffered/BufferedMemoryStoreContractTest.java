package io.volantmq.persistence.buffered;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.contract.StoreContract;

import java.nio.file.Path;
import java.util.Map;

/**
 * The contract against a BufferedStore over the memory backend with the default interval: the
 * tests run (almost) entirely against the in-memory view, then close flushes.
 */
class BufferedMemoryStoreContractTest extends StoreContract {

    @Override
    protected Provider provider() {
        return new BufferedTestProviders.Memory();
    }

    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("buffered-memory", Map.of());
    }
}
