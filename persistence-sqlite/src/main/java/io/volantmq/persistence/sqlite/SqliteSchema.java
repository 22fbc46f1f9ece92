package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.PersistenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The tables, one or two per domain, and the schema version kept in {@code PRAGMA user_version}. */
final class SqliteSchema {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteSchema.class);
    /** 2: a queue entry may hold its message itself (version 1 kept every message in {@code messages}). */
    static final int VERSION = 2;
    /** {@code PRAGMA auto_vacuum} value: free pages can be cut off the file by {@link SqliteReclaim}. */
    static final int INCREMENTAL = 2;

    /** In the order rows must be copied by {@link SqliteSalvage}. */
    static final List<String> TABLES = List.of("sessions", "subscriptions", "retained", "messages", "queue",
            "incoming_qos2");

    private static final String[] DDL = {
        """
        CREATE TABLE IF NOT EXISTS sessions (
            client_id TEXT PRIMARY KEY,
            protocol_version INTEGER NOT NULL,
            expiry_interval INTEGER NOT NULL,
            disconnected_at INTEGER NOT NULL,
            will_delay INTEGER NOT NULL,
            will_topic TEXT,
            will_qos INTEGER,
            will_retain INTEGER,
            will_payload BLOB,
            will_properties BLOB,
            will_created_at INTEGER,
            will_expires_at INTEGER,
            owner TEXT)""",
        // id keeps the order in which filters were first added; an upsert keeps the id
        """
        CREATE TABLE IF NOT EXISTS subscriptions (
            id INTEGER PRIMARY KEY,
            client_id TEXT NOT NULL,
            filter TEXT NOT NULL,
            qos INTEGER NOT NULL,
            no_local INTEGER NOT NULL,
            retain_as_published INTEGER NOT NULL,
            retain_handling INTEGER NOT NULL,
            subscription_id INTEGER NOT NULL,
            UNIQUE (client_id, filter))""",
        """
        CREATE TABLE IF NOT EXISTS retained (
            topic TEXT PRIMARY KEY,
            qos INTEGER NOT NULL,
            retain INTEGER NOT NULL,
            payload BLOB NOT NULL,
            properties BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL)""",
        // a message with more than one queue, stored once; refs = number of queue rows pointing at it
        """
        CREATE TABLE IF NOT EXISTS messages (
            id INTEGER PRIMARY KEY,
            topic TEXT NOT NULL,
            qos INTEGER NOT NULL,
            retain INTEGER NOT NULL,
            payload BLOB NOT NULL,
            properties BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            payload_len INTEGER NOT NULL,
            refs INTEGER NOT NULL)""",
        queueTable("queue"),
        "CREATE INDEX IF NOT EXISTS queue_by_client ON queue (client_id, seq)",
        // partial: an entry holding its message adds nothing to it; "message_id = x" implies the WHERE, so the
        // queries that look entries up by message still use it
        "CREATE INDEX IF NOT EXISTS queue_by_message ON queue (message_id) WHERE message_id IS NOT NULL",
        """
        CREATE TABLE IF NOT EXISTS incoming_qos2 (
            client_id TEXT NOT NULL,
            packet_id INTEGER NOT NULL,
            PRIMARY KEY (client_id, packet_id)) WITHOUT ROWID""",
    };

    /** The columns of a version 1 queue table, all of which the current one still has. */
    private static final String QUEUE_V1_COLUMNS =
            "seq, client_id, message_id, qos, retain, subscription_ids, packet_id, state";

    private SqliteSchema() {
    }

    /**
     * AUTOINCREMENT: a store-wide seq that is never reused, not even after the newest row is deleted.
     * An entry either points at a shared {@code messages} row ({@code message_id}) or, as the only
     * entry of its message, holds the message in its own columns ({@code message_id} NULL). The CHECK
     * asks the latter for every column, as {@code messages} does with NOT NULL, so that salvage skips
     * an entry whose message could not be read.
     */
    private static String queueTable(String name) {
        return "CREATE TABLE IF NOT EXISTS " + name + """
             (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                client_id TEXT NOT NULL,
                message_id INTEGER,
                qos INTEGER NOT NULL,
                retain INTEGER NOT NULL,
                subscription_ids TEXT NOT NULL,
                packet_id INTEGER NOT NULL,
                state TEXT NOT NULL,
                topic TEXT,
                msg_qos INTEGER,
                msg_retain INTEGER,
                payload BLOB,
                properties BLOB,
                created_at INTEGER,
                expires_at INTEGER,
                payload_len INTEGER,
                CHECK (message_id IS NOT NULL OR (topic IS NOT NULL AND msg_qos IS NOT NULL
                    AND msg_retain IS NOT NULL AND payload IS NOT NULL AND properties IS NOT NULL
                    AND created_at IS NOT NULL AND expires_at IS NOT NULL AND payload_len IS NOT NULL)))""";
    }

    static void create(Connection connection, Path path) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            int version;
            try (ResultSet rs = statement.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version > VERSION) {
                connection.rollback();
                // a newer broker wrote it: keep the user's data untouched rather than "recover" it away
                throw new PersistenceException("sqlite store " + path + " has schema version " + version
                        + ", this broker knows up to " + VERSION + "; use a newer broker or another path");
            }
            // before the first table: a fresh file then needs no VACUUM to switch (outside WAL mode)
            statement.execute("PRAGMA auto_vacuum = INCREMENTAL");
            if (intQuery(statement, "PRAGMA auto_vacuum") != INCREMENTAL) {
                switchToIncrementalVacuum(connection, statement, path);
            }
            if (version == 1 && intQuery(statement,
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'queue'") == 1) {
                migrateQueue(statement, path);
            }
            for (String ddl : DDL) {
                statement.execute(ddl);
            }
            addSessionOwner(statement);
            statement.execute("PRAGMA user_version = " + VERSION);
        }
        connection.commit();
    }

    /**
     * The auto-vacuum mode is fixed once the file has its first page, which in WAL mode (set when
     * connecting) a new file already has, so switching takes a VACUUM: instant for a new file, a
     * one-time rewrite of a file made by an older broker. If it fails (it needs free disk space about
     * the size of the file) the store works as before, its file just does not shrink, and the next
     * start tries again.
     */
    private static void switchToIncrementalVacuum(Connection connection, Statement statement, Path path)
            throws SQLException {
        boolean empty = intQuery(statement, "SELECT COUNT(*) FROM sqlite_master") == 0;
        long start = System.nanoTime();
        if (!empty) {
            LOG.info("sqlite store {}: switching the file to incremental auto-vacuum so that it can shrink; "
                    + "rewriting it once (VACUUM), which may take a while for a large file", path);
        }
        connection.commit();
        connection.setAutoCommit(true);  // VACUUM cannot run inside a transaction
        try {
            statement.execute("VACUUM");
            // VACUUM went through the WAL: write it back and empty it rather than leave a file-sized WAL
            statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)").close();
            if (!empty) {
                LOG.info("sqlite store {}: switched to incremental auto-vacuum in {} ms", path,
                        (System.nanoTime() - start) / 1_000_000);
            }
        } catch (SQLException e) {
            LOG.warn("sqlite store {}: cannot switch to incremental auto-vacuum ({}); the file will not shrink "
                    + "when queues drain, the next start tries again", path, e.getMessage());
        } finally {
            connection.setAutoCommit(false);
        }
    }

    /**
     * Version 1 to 2. A version 1 queue table has {@code message_id NOT NULL}, which ALTER TABLE cannot
     * drop, so the table is rebuilt the way SQLite documents (new table, copy, drop, rename; the indexes
     * go with the old table and the DDL creates them again) in the open's transaction: a failure leaves
     * the file at version 1. The entries keep pointing at their {@code messages} rows; only messages
     * enqueued from now on are stored in their entry.
     */
    private static void migrateQueue(Statement statement, Path path) throws SQLException {
        long start = System.nanoTime();
        statement.execute(queueTable("queue_v2"));
        int entries = statement.executeUpdate("INSERT INTO queue_v2 (" + QUEUE_V1_COLUMNS + ") SELECT "
                + QUEUE_V1_COLUMNS + " FROM queue");
        // the highest seq ever handed out, not the highest left: seqs of removed entries stay unused
        statement.executeUpdate("DELETE FROM sqlite_sequence WHERE name = 'queue_v2'");
        statement.executeUpdate("INSERT INTO sqlite_sequence (name, seq) "
                + "SELECT 'queue_v2', seq FROM sqlite_sequence WHERE name = 'queue'");
        statement.execute("DROP TABLE queue");
        statement.execute("ALTER TABLE queue_v2 RENAME TO queue");
        LOG.info("sqlite store {}: migrated the schema from version 1 to 2 (the queue table rebuilt so that a "
                + "message with one queue is stored in its entry, {} entries kept) in {} ms", path, entries,
                (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * A file written before sessions had an owner lacks the column: it is added, nullable, and its
     * sessions read as unowned. An additive change, so the schema version stays: an older broker
     * opening the file still works (it names its columns and leaves the owner out).
     */
    private static void addSessionOwner(Statement statement) throws SQLException {
        boolean present = false;
        try (ResultSet rs = statement.executeQuery("PRAGMA table_info(sessions)")) {
            while (rs.next()) {
                present |= "owner".equals(rs.getString("name"));
            }
        }
        if (!present) {
            statement.execute("ALTER TABLE sessions ADD COLUMN owner TEXT");
        }
    }

    static int intQuery(Statement statement, String sql) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
