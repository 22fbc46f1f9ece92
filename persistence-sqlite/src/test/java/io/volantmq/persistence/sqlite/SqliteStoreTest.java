package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.contract.Fixtures;
import io.volantmq.persistence.contract.FileStoreContract;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

class SqliteStoreTest extends FileStoreContract {

    @Override
    protected Provider provider() {
        return new SqliteProvider();
    }

    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("sqlite", Map.of("path", tempDir.resolve("volantmq.db").toString()));
    }

    /** A crash while the file grew: the last pages are gone (the WAL was checkpointed at close). */
    @Override
    protected void damage(Path tempDir) throws IOException {
        Fixtures.truncateNewest(tempDir, "volantmq.db", 3 * 4096 + 100);
    }
}
