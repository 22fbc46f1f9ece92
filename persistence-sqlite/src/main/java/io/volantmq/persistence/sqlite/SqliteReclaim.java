package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.PersistenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Gives the disk space of drained queues back to the file system. SQLite reuses the pages of
 * deleted rows but never shrinks the file on its own; with incremental auto-vacuum (set up by
 * {@link SqliteSchema}) {@code PRAGMA incremental_vacuum} moves the free pages to the end and cuts
 * them off. Counting free pages is a query, so it happens once per {@link #CHECK_EVERY} removed
 * queue entries, and only more than {@link #RECLAIM_ABOVE} free pages are worth the page moves.
 */
final class SqliteReclaim {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteReclaim.class);
    static final int CHECK_EVERY = 1000;
    /** Pages: 4 MiB at SQLite's default page size. */
    static final int RECLAIM_ABOVE = 1024;
    /** Pages per transaction (tens of ms), so other store calls get the lock in between. */
    private static final int CHUNK = 4096;
    private static final String FREE_PAGES = "PRAGMA freelist_count";

    private final SqliteStore store;
    private int removed;  // only touched inside the store's transactions, under its lock

    SqliteReclaim(SqliteStore store) {
        this.store = store;
    }

    /** Inside a transaction: counts removed queue entries; true when a {@link #run} is due. */
    boolean removed(int entries) {
        removed += entries;
        if (removed < CHECK_EVERY) {
            return false;
        }
        removed = 0;
        return true;
    }

    /** Outside any transaction. A failure (the disk is full, say) is logged and retried at the next check. */
    void run() {
        try {
            int free = store.transaction("count free pages", this::freePages);
            if (free <= RECLAIM_ABOVE) {
                return;
            }
            int before = free;
            while (free > 0) {
                int left = free;
                free = store.transaction("reclaim free pages", () -> {
                    // a plain Statement's executeUpdate goes through sqlite3_exec, which steps the pragma
                    // to its end (one page a step), where a prepared one steps once; the store hands out
                    // prepared statements only, hence their connection
                    try (Statement vacuum = store.statement(FREE_PAGES).getConnection().createStatement()) {
                        vacuum.executeUpdate("PRAGMA incremental_vacuum(" + CHUNK + ")");
                    }
                    return freePages();
                });
                if (free >= left) {
                    break;  // not in incremental mode (switching at open failed): nothing to cut
                }
            }
            if (free >= before) {
                return;
            }
            // the file shrinks at the checkpoint; TRUNCATE also empties the WAL the page moves went through
            store.transaction("checkpoint", () -> {
                store.statement("PRAGMA wal_checkpoint(TRUNCATE)").executeQuery().close();
                return null;
            });
            LOG.debug("sqlite store: gave {} free pages back to the file system", before - free);
        } catch (PersistenceException e) {
            LOG.warn("sqlite store: reclaiming free pages failed, retried later: {}", e.getMessage());
        }
    }

    private int freePages() throws SQLException {
        try (ResultSet rs = store.statement(FREE_PAGES).executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
