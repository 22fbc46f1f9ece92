package io.volantmq.persistence.buffered;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.contract.StoreContract;

import java.nio.file.Path;
import java.util.Map;

/**
 * The contract against a BufferedStore over the memory backend that writes every millisecond: the
 * flusher moves changes from the view to the backend while the tests read and write, so every
 * read merges both.
 */
class BufferedMemoryEagerStoreContractTest extends StoreContract {

    @Override
    protected Provider provider() {
        return new BufferedTestProviders.Memory();
    }

    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("buffered-memory", Map.of(BufferedTestProviders.SYNC_INTERVAL, "1"));
    }
}
