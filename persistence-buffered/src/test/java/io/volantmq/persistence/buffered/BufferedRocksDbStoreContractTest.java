package io.volantmq.persistence.buffered;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.contract.Fixtures;
import io.volantmq.persistence.contract.FileStoreContract;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The contract against a BufferedStore over RocksDB with the default interval: what a reopen or a
 * {@link io.volantmq.persistence.Store#sync()} (a flush to RocksDB) made durable survives.
 */
class BufferedRocksDbStoreContractTest extends FileStoreContract {

    @Override
    protected Provider provider() {
        return new BufferedTestProviders.RocksDb();
    }

    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("buffered-rocksdb", Map.of("path", tempDir.resolve("rocksdb").toString()));
    }

    /** A crash in the middle of a WAL append, as for RocksDB itself. */
    /** The buffer numbers entries before RocksDB does; after a reopen they show RocksDB's numbers. */
    @Override
    protected boolean seqsSurviveAReopen() {
        return false;
    }

    @Override
    protected void damage(Path tempDir) throws IOException {
        Fixtures.truncateNewest(tempDir.resolve("rocksdb"), "*.log", 100);
    }
}
