package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.ProviderConfig;

import java.nio.file.Path;
import java.util.Map;

/** The whole contract again with {@code fsync=false}: the unsynced write path and its close. */
class RocksDbUnsyncedStoreTest extends RocksDbStoreTest {

    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("rocksdb", Map.of("path", tempDir.resolve("rocksdb").toString(), "fsync", "false"));
    }
}
