package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.contract.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only the backend commits, and only whole changes: MVStore by itself also commits from inside a
 * map write once about 19 MB are unsaved, which could write half of a change, or changes of a
 * group not yet synced, to the file.
 */
class MapDbCommitTest {
    private static final int MEGABYTE = 1 << 20;

    @TempDir
    Path tempDir;

    @Test
    void groupCommitWritesNothingToTheFileBeforeTheSyncHoweverMuchIsWaiting() throws IOException {
        Path file = tempDir.resolve("volantmq.mapdb");
        try (Store store = new MapDbProvider().open(new ProviderConfig("mapdb", Map.of("path", file.toString(), "commit", "group")))) {
            long empty = Files.size(file);
            for (int i = 0; i < 30; i++) {
                store.messages().enqueue(Fixtures.message("big/" + i, Fixtures.randomBytes(MEGABYTE, i)), Fixtures.targets("c"));
            }
            assertThat(Files.size(file)).as("file size before the sync, with 30 MB waiting").isEqualTo(empty);

            store.sync();
            assertThat(Files.size(file)).as("file size after the sync").isGreaterThan(empty + 30L * MEGABYTE);
        }
    }
}
