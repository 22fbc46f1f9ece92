package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A file written before sessions had an owner: its sessions read as unowned, and owners can be stored. */
class SqliteSessionOwnerMigrationTest {
    @TempDir
    Path dir;

    @Test
    void aSessionsTableWithoutTheOwnerColumnGetsIt() throws Exception {
        Path db = dir.resolve("old.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE sessions (client_id TEXT PRIMARY KEY, protocol_version INTEGER NOT NULL,
                    expiry_interval INTEGER NOT NULL, disconnected_at INTEGER NOT NULL, will_delay INTEGER NOT NULL,
                    will_topic TEXT, will_qos INTEGER, will_retain INTEGER, will_payload BLOB, will_properties BLOB,
                    will_created_at INTEGER, will_expires_at INTEGER)""");
            s.execute("INSERT INTO sessions VALUES ('old', 4, 60, 1234, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
            s.execute("PRAGMA user_version = 1");
        }

        try (Store store = new SqliteProvider().open(new ProviderConfig("sqlite", Map.of("path", db.toString())))) {
            assertThat(store.sessions().get("old")).contains(new SessionState("old", 4, 60, 1234, null, 0));
            SessionState owned = new SessionState("new", 5, 60, 0, null, 0, "alice");
            store.sessions().put(owned);
            assertThat(store.sessions().get("new")).contains(owned);
        }
    }
}
