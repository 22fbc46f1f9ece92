package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.contract.Fixtures;
import io.volantmq.persistence.contract.FileStoreContract;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

class MapDbStoreTest extends FileStoreContract {

    @Override
    protected Provider provider() {
        return new MapDbProvider();
    }

    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("mapdb", Map.of("path", tempDir.resolve("store").resolve("volantmq.mapdb").toString()));
    }

    /**
     * The file loses its second half. (Its last few bytes alone are preallocated space MapDB does
     * not miss.) The store is then moved aside and reopens empty.
     */
    @Override
    protected void damage(Path tempDir) throws IOException {
        Path file = tempDir.resolve("store").resolve("volantmq.mapdb");
        Fixtures.truncateNewest(file.getParent(), "volantmq.mapdb", (int) (Files.size(file) / 2));
    }
}
