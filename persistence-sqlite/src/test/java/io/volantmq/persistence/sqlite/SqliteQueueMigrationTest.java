package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.InflightState;
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
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A file of schema version 1 (every message in {@code messages}, {@code queue.message_id NOT NULL}) is
 * migrated to version 2 at open: its entries, their seqs and the highest seq ever handed out are kept, and
 * they work next to entries that hold their message.
 */
class SqliteQueueMigrationTest {
    private static final StoredMessage SHARED = new StoredMessage("shared", 1, false, bytes("for a and b"),
            new byte[] {1, 2}, 100, 0);
    private static final StoredMessage SINGLE = new StoredMessage("single", 2, true, bytes("for a alone"),
            null, 200, 9_000);

    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("v1.db");
    }

    private Store open() {
        return new SqliteProvider().open(new ProviderConfig("sqlite", Map.of("path", db().toString())));
    }

    /** The version 1 tables and rows as the broker wrote them before entries could hold their message. */
    private void writeVersion1File() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement s = c.createStatement()) {
            s.execute("PRAGMA auto_vacuum = INCREMENTAL");
            s.execute("""
                    CREATE TABLE messages (id INTEGER PRIMARY KEY, topic TEXT NOT NULL, qos INTEGER NOT NULL,
                    retain INTEGER NOT NULL, payload BLOB NOT NULL, properties BLOB NOT NULL,
                    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, payload_len INTEGER NOT NULL,
                    refs INTEGER NOT NULL)""");
            s.execute("""
                    CREATE TABLE queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL,
                    message_id INTEGER NOT NULL, qos INTEGER NOT NULL, retain INTEGER NOT NULL,
                    subscription_ids TEXT NOT NULL, packet_id INTEGER NOT NULL, state TEXT NOT NULL)""");
            s.execute("CREATE INDEX queue_by_client ON queue (client_id, seq)");
            s.execute("CREATE INDEX queue_by_message ON queue (message_id)");
            s.execute("INSERT INTO messages VALUES (1, 'shared', 1, 0, CAST('for a and b' AS BLOB), X'0102', 100, 0, "
                    + "11, 2)");
            s.execute("INSERT INTO messages VALUES (2, 'single', 2, 1, CAST('for a alone' AS BLOB), X'', 200, 9000, "
                    + "11, 1)");
            s.execute("INSERT INTO queue VALUES (1, 'a', 1, 1, 0, '3,4', 0, 'QUEUED')");
            s.execute("INSERT INTO queue VALUES (2, 'b', 1, 0, 1, '', 0, 'QUEUED')");
            s.execute("INSERT INTO queue VALUES (3, 'a', 2, 2, 1, '', 7, 'SENT')");
            // seqs 4 and 5 were handed out and their entries removed: they must not come again
            s.execute("UPDATE sqlite_sequence SET seq = 5 WHERE name = 'queue'");
            s.execute("PRAGMA user_version = 1");
        }
    }

    @Test
    void aVersion1FileIsMigratedAndItsEntriesWorkBesideNewOnes() throws Exception {
        writeVersion1File();
        StoredMessage later = new StoredMessage("later", 1, false, bytes("held by its entry"), null, 300, 0);

        try (Store store = open()) {
            assertThat(query("PRAGMA user_version")).isEqualTo(2);
            assertThat(query("SELECT \"notnull\" FROM pragma_table_info('queue') WHERE name = 'message_id'"))
                    .isZero();
            assertThat(query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'queue' "
                    + "AND name IN ('queue_by_client', 'queue_by_message')")).isEqualTo(2);
            assertThat(query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'queue_by_message' "
                    + "AND sql LIKE '%WHERE message_id IS NOT NULL'")).isEqualTo(1);

            assertThat(store.messages().read("a", 0, 10)).containsExactly(
                    new QueuedMessage(1, SHARED, 1, false, List.of(3, 4), 0, InflightState.QUEUED),
                    new QueuedMessage(3, SINGLE, 2, true, List.of(), 7, InflightState.SENT));
            assertThat(store.messages().read("b", 0, 10)).containsExactly(
                    new QueuedMessage(2, SHARED, 0, true, List.of(), 0, InflightState.QUEUED));

            store.messages().enqueue(later, List.of(new QueueTarget("a", 1, false, List.of())));
            List<QueuedMessage> a = store.messages().read("a", 0, 10);
            assertThat(a).extracting(QueuedMessage::seq).containsExactly(1L, 3L, 6L);
            assertThat(a.get(2).message()).isEqualTo(later);
            assertThat(store.messages().stats("a")).isEqualTo(new QueueStats(3, 11 + 11 + 17));
            assertThat(store.messages().stats("b")).isEqualTo(new QueueStats(1, 11));
            assertThat(query("SELECT COUNT(*) FROM queue WHERE message_id IS NULL")).isEqualTo(1);

            store.messages().remove("a", 1);
            assertThat(query("SELECT refs FROM messages WHERE id = 1")).isEqualTo(1);
            store.messages().remove("a", 3);
            assertThat(query("SELECT COUNT(*) FROM messages WHERE id = 2")).isZero();
            store.messages().clear("b");
            assertThat(query("SELECT COUNT(*) FROM messages")).isZero();
            assertThat(store.messages().read("a", 0, 10)).extracting(QueuedMessage::seq).containsExactly(6L);
            store.messages().remove("a", 6);
            assertThat(query("SELECT COUNT(*) FROM queue")).isZero();
        }

        try (Store store = open()) {
            store.messages().enqueue(later, List.of(new QueueTarget("a", 1, false, List.of())));
            assertThat(store.messages().read("a", 0, 10)).extracting(QueuedMessage::seq).containsExactly(7L);
        }
    }

    /** A plain connection on the file: what the store committed, row by row. */
    private long query(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
