package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.StoreFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteDataSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the database file, checks it, and recovers from damage instead of refusing to start:
 * a file SQLite reports as corrupt or "not a database", or one whose {@code PRAGMA quick_check}
 * fails, is moved aside (with its WAL) under a timestamp suffix, a fresh file is created, and
 * {@link SqliteSalvage} copies whatever rows can still be read from the old one.
 * Errors that moving the file cannot cure (permissions, a full disk, a newer schema) fail the open.
 */
final class SqliteOpener {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteOpener.class);
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_NOTADB = 26;

    private SqliteOpener() {
    }

    static Connection open(Path path, String synchronous) {
        try {
            Files.createDirectories(path.getParent());
        } catch (IOException e) {
            throw new PersistenceException("sqlite store " + path + ": cannot create its directory: " + e, e);
        }
        String damage;
        try {
            Connection connection = connect(path, synchronous);
            try {
                String check = quickCheck(connection);
                if (check.equals("ok")) {
                    SqliteSchema.create(connection, path);
                    return connection;
                }
                damage = "PRAGMA quick_check: " + check;
                LOG.error("sqlite store {} failed its integrity check: {}", path, check);
            } catch (SQLException | RuntimeException e) {
                closeQuietly(connection);
                throw e;
            }
            closeQuietly(connection);
        } catch (SQLException e) {
            if (!isDamage(e)) {
                throw new PersistenceException("sqlite store " + path + ": cannot open: " + e.getMessage(), e);
            }
            damage = e.getMessage();
        }
        return recover(path, synchronous, damage);
    }

    private static Connection recover(Path path, String synchronous, String damage) {
        // the WAL moves with the file and keeps its "-wal" suffix, so the moved file still sees its last commits
        Path aside = StoreFiles.moveAside(path, "sqlite store", damage, List.of("-wal", "-shm"), LOG);
        Connection fresh;
        try {
            fresh = connect(path, synchronous);
            SqliteSchema.create(fresh, path);
        } catch (SQLException e) {
            throw new PersistenceException("sqlite store " + path + ": cannot create a fresh store after moving the "
                    + "damaged one to " + aside + ": " + e.getMessage(), e);
        }
        SqliteSalvage.copy(aside, fresh);
        return fresh;
    }

    /** A connection in WAL mode with the chosen sync level; autocommit off, the store commits. */
    static Connection connect(Path path, String synchronous) throws SQLException {
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + path);
        // the driver would prepare and run "SELECT last_insert_rowid()" after every INSERT; the store uses RETURNING
        source.setGetGeneratedKeys(false);
        Connection connection = source.getConnection();
        try (Statement statement = connection.createStatement()) {
            // another process (a backup tool) may hold the lock briefly; wait rather than fail
            statement.execute("PRAGMA busy_timeout = 5000");
            try (ResultSet rs = statement.executeQuery("PRAGMA journal_mode = WAL")) {
                String mode = rs.next() ? rs.getString(1) : "?";
                if (!"wal".equalsIgnoreCase(mode)) {
                    LOG.warn("sqlite store {}: journal mode is {}, not wal", path, mode);
                }
            }
            statement.execute("PRAGMA synchronous = " + synchronous);
            connection.setAutoCommit(false);
            return connection;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    private static String quickCheck(Connection connection) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("PRAGMA quick_check(20)")) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        } finally {
            connection.rollback();
        }
        return lines.isEmpty() ? "no result" : String.join("; ", lines);
    }

    static boolean isDamage(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                int primary = s.getErrorCode() & 0xff;  // extended codes carry the primary in the low byte
                if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
                    return true;
                }
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("SQLITE_CORRUPT") || message.contains("SQLITE_NOTADB")) {
                return true;
            }
        }
        return false;
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing sqlite connection", e);
        }
    }
}
