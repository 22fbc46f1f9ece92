package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.contract.Fixtures;
import io.volantmq.persistence.contract.FileStoreContract;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

class RocksDbStoreTest extends FileStoreContract {

    @Override
    protected Provider provider() {
        return new RocksDbProvider();
    }

    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("rocksdb", Map.of("path", tempDir.resolve("rocksdb").toString()));
    }

    /** A crash in the middle of a WAL append: the newest log loses its last bytes. */
    @Override
    protected void damage(Path tempDir) throws IOException {
        Fixtures.truncateNewest(tempDir.resolve("rocksdb"), "*.log", 100);
    }
}
