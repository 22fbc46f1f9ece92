package io.volantmq.persistence.buffered;

import io.volantmq.persistence.ProviderConfig;

import java.nio.file.Path;
import java.util.Map;

/**
 * The contract against a BufferedStore over RocksDB that writes every millisecond, so entries are
 * read, updated and removed by the seqs this store handed out after RocksDB numbered them.
 */
class BufferedRocksDbEagerStoreContractTest extends BufferedRocksDbStoreContractTest {

    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("buffered-rocksdb", Map.of("path", tempDir.resolve("rocksdb").toString(),
                BufferedTestProviders.SYNC_INTERVAL, "1"));
    }
}
