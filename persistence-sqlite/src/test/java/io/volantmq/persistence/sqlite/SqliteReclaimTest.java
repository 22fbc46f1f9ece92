package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file shrinks once queues drain: removing queue entries the way the broker does (one
 * {@code remove} per acknowledged message) gives the free pages back to the file system, and a
 * file made before incremental auto-vacuum is switched to it once, at open, keeping its rows.
 */
class SqliteReclaimTest {
    private static final int MESSAGES = 20_000;

    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("volantmq.db");
    }

    /** The default settings, as the broker opens it (group commit: no fsync per call, which keeps this fast). */
    private Store open() {
        return new SqliteProvider().open(new ProviderConfig("sqlite", Map.of("path", db().toString())));
    }

    private void fill(Store store, String clientId, int count) {
        for (int i = 0; i < count; i++) {
            store.messages().enqueue(new StoredMessage("q/" + i, 1, false, new byte[1024], null, 1, 0),
                    List.of(new QueueTarget(clientId, 1, false, List.of())));
        }
    }

    @Test
    void drainingAQueueShrinksTheFile() throws Exception {
        try (Store store = open()) {
            fill(store, "c", MESSAGES);
        }
        long full = Files.size(db());  // closing checkpointed the WAL into the file
        assertThat(full).isGreaterThan(MESSAGES * 1024L);

        try (Store store = open()) {
            for (List<QueuedMessage> page = store.messages().read("c", 0, 500); !page.isEmpty();
                 page = store.messages().read("c", page.get(page.size() - 1).seq(), 500)) {
                page.forEach(entry -> store.messages().remove("c", entry.seq()));
            }
            assertThat(store.messages().stats("c").messages()).isZero();
            // shrunk while still open, not only by the close: db and WAL together
            assertThat(Files.size(db()) + walSize()).isLessThan(full / 3);
        }
        long drained = Files.size(db());
        assertThat(drained).as("%d bytes full, %d drained", full, drained)
                .isLessThanOrEqualTo((SqliteReclaim.RECLAIM_ABOVE + 100) * 4096L);
    }

    @Test
    void clearingAQueueShrinksTheFile() throws Exception {
        try (Store store = open()) {
            fill(store, "c", MESSAGES);
            long full = Files.size(db()) + walSize();
            store.messages().clear("c");
            assertThat(Files.size(db()) + walSize()).isLessThan(full / 3);
        }
    }

    @Test
    void aFileMadeWithoutIncrementalVacuumIsSwitchedOnceAtOpenAndKeepsItsRows() throws Exception {
        try (Store store = open()) {
            fill(store, "c", 10);
        }
        try (Connection old = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement statement = old.createStatement()) {
            statement.execute("PRAGMA auto_vacuum = NONE");
            statement.execute("VACUUM");  // as an older broker made it
            assertThat(autoVacuum(statement)).isZero();
        }

        try (Store store = open()) {
            assertThat(store.messages().stats("c").messages()).isEqualTo(10);
        }
        try (Connection reopened = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement statement = reopened.createStatement()) {
            assertThat(autoVacuum(statement)).isEqualTo(SqliteSchema.INCREMENTAL);
        }
    }

    private long walSize() throws Exception {
        Path wal = dir.resolve("volantmq.db-wal");
        return Files.exists(wal) ? Files.size(wal) : 0;
    }

    private static int autoVacuum(Statement statement) throws SQLException {
        return SqliteSchema.intQuery(statement, "PRAGMA auto_vacuum");
    }
}
