package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queue reads and counts run on a connection of their own (WAL: a reader never waits for the writer); when that
 * one fails they run on the write connection, as before it existed, and still see every commit, and the read
 * connection is opened again for the reads after.
 */
class SqliteReadConnectionTest {
    @TempDir
    Path dir;

    private Store open() {
        return new SqliteProvider().open(new ProviderConfig("sqlite",
                Map.of("path", dir.resolve("volantmq.db").toString())));
    }

    private static void enqueue(Store store, String payload) {
        store.messages().enqueue(new StoredMessage("t", 1, false, payload.getBytes(StandardCharsets.UTF_8), null, 0, 0),
                List.of(new QueueTarget("c", 1, false, List.of())));
    }

    private static List<String> payloads(List<QueuedMessage> entries) {
        return entries.stream().map(e -> new String(e.message().payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aFailingReadConnectionFallsBackToTheWriteConnection() throws Exception {
        try (Store store = open()) {
            enqueue(store, "a");
            enqueue(store, "b");
            Connection broken = ((SqliteStore) store).readConnection();
            broken.close(); // every statement on it now fails
            enqueue(store, "c");

            assertThat(payloads(store.messages().read("c", 0, 10))).containsExactly("a", "b", "c");
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(3, 3));

            Connection reopened = ((SqliteStore) store).readConnection();
            assertThat(reopened).as("opened again after the failure").isNotSameAs(broken);
            assertThat(reopened.isClosed()).isFalse();
            enqueue(store, "d");
            assertThat(payloads(store.messages().read("c", 0, 10))).containsExactly("a", "b", "c", "d");
            assertThat(reopened.isClosed()).as("the read went through the new connection, which stays").isFalse();
            assertThat(((SqliteStore) store).readConnection()).isSameAs(reopened);
        }
    }
}
