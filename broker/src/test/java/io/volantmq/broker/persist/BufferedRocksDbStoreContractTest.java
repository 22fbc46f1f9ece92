package io.volantmq.broker.persist;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.contract.Fixtures;
import io.volantmq.persistence.contract.StoreContract;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The contract against a BufferedStore over RocksDB with the default interval: durability comes from close. */
@ExtendWith(BufferedContractExclusions.class)
class BufferedRocksDbStoreContractTest extends StoreContract {

    @Override
    protected Provider provider() {
        return new BufferedTestProviders.RocksDb();
    }

    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("buffered-rocksdb", Map.of("path", tempDir.resolve("rocksdb").toString()));
    }

    /** A crash in the middle of a WAL append, as for RocksDB itself. */
    @Override
    protected void damage(Path tempDir) throws IOException {
        Fixtures.truncateNewest(tempDir.resolve("rocksdb"), "*.log", 100);
    }
}
