package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.SubscriptionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection for writes guarded by a lock: SQLite has a single writer anyway, so a pool would
 * only add lock contention on the file. Every call is one transaction, committed (and, with
 * {@code synchronous=FULL}, synced to the WAL) before it returns; with group commit, commits are
 * not synced and {@link #sync()} syncs the WAL once for all of them. Queue reads for delivery have a
 * connection of their own ({@link #read}): in WAL mode a reader sees every commit made before it
 * began and never waits for the writer, so a delivery does not wait for a lane's commit and sync.
 */
final class SqliteStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

    private final Path path;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final SqliteSessionStore sessions = new SqliteSessionStore(this);
    private final SqliteSubscriptionStore subscriptions = new SqliteSubscriptionStore(this);
    private final SqliteRetainedStore retained = new SqliteRetainedStore(this);
    private final SqliteMessageStore messages = new SqliteMessageStore(this);
    private Connection connection;
    /** Queue reads only ({@link #read}), under {@link #readLock}; its statements in {@link #readStatements}. */
    private Connection readConnection;
    private final ReentrantLock readLock = new ReentrantLock();
    private final Map<String, PreparedStatement> readStatements = new HashMap<>();
    /** Group commit: commits a marker row at the configured sync level; null when every commit syncs. */
    private Connection syncConnection;
    private PreparedStatement syncMarker;

    SqliteStore(Path path, Connection connection, Connection syncConnection, Connection readConnection) {
        this.path = path;
        this.connection = connection;
        this.syncConnection = syncConnection;
        this.readConnection = readConnection;
        if (syncConnection != null) {
            try (var statement = syncConnection.createStatement()) {
                statement.execute("CREATE TABLE IF NOT EXISTS sync_marker (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
                statement.execute("INSERT OR IGNORE INTO sync_marker VALUES (1, 0)");
                syncConnection.commit();
                syncMarker = syncConnection.prepareStatement("UPDATE sync_marker SET n = n + 1 WHERE id = 1");
            } catch (SQLException e) {
                SqliteOpener.closeQuietly(syncConnection);
                SqliteOpener.closeQuietly(readConnection);
                SqliteOpener.closeQuietly(connection);
                throw new PersistenceException("sqlite store " + path + ": preparing group commit failed: "
                        + e.getMessage(), e);
            }
        }
        LOG.info("sqlite store open at {} (commit={})", path, syncConnection != null ? "group" : "each");
    }

    @Override
    public Durability durability() {
        return syncConnection != null ? Durability.ON_SYNC : Durability.ON_RETURN;
    }

    /** A synced commit on the second connection: the WAL fsync covers every earlier commit. */
    @Override
    public void sync() {
        if (syncConnection == null) {
            return;
        }
        lock.lock();
        try {
            if (connection == null) {
                throw new PersistenceException("sqlite store " + path + " is closed (sync)");
            }
            syncMarker.executeUpdate();
            syncConnection.commit();
        } catch (SQLException e) {
            try {
                syncConnection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
                beginAgain(syncConnection);
                try {
                    syncMarker.close();
                    syncMarker = syncConnection.prepareStatement("UPDATE sync_marker SET n = n + 1 WHERE id = 1");
                } catch (SQLException again) {
                    e.addSuppressed(again); // the next sync fails too, and says so
                }
            }
            throw new PersistenceException("sqlite store " + path + ": sync failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Work done inside one transaction, under the store's lock. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} in a transaction and commits; rolls back and throws {@link PersistenceException} on failure. */
    <T> T transaction(String what, Work<T> work) {
        lock.lock();
        try {
            if (connection == null) {
                throw new PersistenceException("sqlite store " + path + " is closed (" + what + ")");
            }
            try {
                T result = work.run();
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                    closeStatements();
                    beginAgain(connection);
                }
                if (e instanceof PersistenceException p) {
                    throw p;
                }
                throw new PersistenceException("sqlite store " + path + ": " + what + " failed: " + e.getMessage(), e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** A query run by {@link #read}, given the prepared statements of the connection it runs on. */
    @FunctionalInterface
    interface Query<T> {
        T run(Statements statements) throws SQLException;
    }

    /** Prepared statements of one connection, cached by SQL. */
    @FunctionalInterface
    interface Statements {
        PreparedStatement get(String sql) throws SQLException;
    }

    /**
     * Runs {@code query} on the read connection: it sees every transaction committed before it began, also while
     * the write connection is in the middle of another, and ends its read transaction after, so the next read sees
     * newer commits and a checkpoint is not held back. Should the read connection fail (SQLite may answer a WAL
     * reader BUSY under heavy checkpointing), the query runs once more as before there was one: in a transaction of
     * the write connection, under the store's lock; and the read connection is opened anew for the next read, so
     * one that stays broken (closed under the store, its file handle failed) does not send every later read there.
     */
    <T> T read(String what, Query<T> query) {
        readLock.lock();
        try {
            if (readConnection == null) {
                throw new PersistenceException("sqlite store " + path + " is closed (" + what + ")");
            }
            boolean failed = false;
            try {
                return query.run(this::readStatement);
            } catch (SQLException | RuntimeException e) {
                failed = true;
                LOG.warn("sqlite store {}: {} failed on the read connection ({}); running it on the write connection "
                        + "and opening the read connection again", path, what, e.getMessage());
            } finally {
                if (!failed) {
                    endRead();
                }
            }
            reopenReadConnection();
        } finally {
            readLock.unlock();
        }
        return transaction(what, () -> query.run(this::statement));
    }

    /** Ends the read transaction, so the next read sees newer commits and a checkpoint is not held back. */
    private void endRead() {
        try {
            readConnection.rollback();
        } catch (SQLException e) {
            LOG.warn("sqlite store {}: ending a read transaction failed: {}", path, e.getMessage());
            beginAgain(readConnection); // SQLite may have ended it itself (BUSY, IOERR): begin anew
        }
    }

    /** Replaces the read connection after a failure; keeps the failed one (reads fall back) while none opens. */
    private void reopenReadConnection() {
        closeAll(readStatements);
        Connection fresh;
        try {
            fresh = SqliteOpener.connect(path, "NORMAL");
        } catch (SQLException e) {
            LOG.warn("sqlite store {}: opening the read connection again failed ({}); the next read tries again",
                    path, e.getMessage());
            endRead();
            return;
        }
        SqliteOpener.closeQuietly(readConnection);
        readConnection = fresh;
    }

    /** The read connection, for tests that make it fail. */
    Connection readConnection() {
        return readConnection;
    }

    /** A prepared statement of the read connection; only inside {@link #read}. */
    private PreparedStatement readStatement(String sql) throws SQLException {
        assert readLock.isHeldByCurrentThread();
        PreparedStatement statement = readStatements.get(sql);
        if (statement == null) {
            statement = readConnection.prepareStatement(sql);
            readStatements.put(sql, statement);
        }
        return statement;
    }

    /** Closes and forgets the cached statements of one connection. */
    private static void closeAll(Map<String, PreparedStatement> cache) {
        for (PreparedStatement statement : cache.values()) {
            try {
                statement.close();
            } catch (SQLException e) {
                LOG.debug("closing a statement", e);
            }
        }
        cache.clear();
    }

    /**
     * SQLite rolls a transaction back by itself on SQLITE_FULL, IOERR, NOMEM or BUSY; the driver then
     * neither rolls back nor begins again, so every later commit would fail ("no transaction is
     * active") while statements autocommit one by one. Ending autocommit again begins anew.
     */
    private void beginAgain(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException noTransaction) {
            // expected: the driver's COMMIT finds none; the connection is in autocommit mode all the same
        }
        try {
            c.setAutoCommit(false);
        } catch (SQLException e) {
            LOG.warn("sqlite store {}: cannot begin a transaction again: {}", path, e.getMessage());
        }
    }

    /** A statement that failed that way stays unusable: they are prepared again when next used. */
    private void closeStatements() {
        closeAll(statements);
    }

    /** A prepared statement reused across calls; only inside {@link #transaction}. */
    PreparedStatement statement(String sql) throws SQLException {
        assert lock.isHeldByCurrentThread();
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public SubscriptionStore subscriptions() {
        return subscriptions;
    }

    @Override
    public RetainedStore retained() {
        return retained;
    }

    @Override
    public MessageStore messages() {
        return messages;
    }

    private void closeReadConnection() {
        readLock.lock();
        try {
            if (readConnection == null) {
                return;
            }
            closeAll(readStatements);
            SqliteOpener.closeQuietly(readConnection);
            readConnection = null;
        } finally {
            readLock.unlock();
        }
    }

    /** One connection: calls run one at a time, so more lanes would only wait on the lock. */
    @Override
    public int maxConcurrency() {
        return 1;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (connection == null) {
                return;
            }
            closeStatements();
            closeReadConnection();
            if (syncConnection != null) {
                // the main connection, closed last, checkpoints the WAL into the file
                SqliteOpener.closeQuietly(syncConnection);
                syncConnection = null;
            }
            try {
                connection.rollback();
                connection.close();  // the last connection's close checkpoints the WAL into the file
            } catch (SQLException e) {
                throw new PersistenceException("sqlite store " + path + ": close failed: " + e.getMessage(), e);
            } finally {
                connection = null;
            }
            LOG.info("sqlite store closed at {}", path);
        } finally {
            lock.unlock();
        }
    }
}
