package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.SubscriptionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * An open store on its MVStore file. MVStore commits every change of every map at once, so every SPI
 * change runs alone under the write lock and, with {@code commit=each}, ends with a commit and a
 * sync of the file before the call returns; a failed change is rolled back. Reads share the read
 * lock, so none sees a change half made. A commit is atomic on disk: a crash leaves the file at the
 * last commit that finished.
 *
 * <p>With group commit, changes stay uncommitted in memory and {@link #sync()} commits and syncs
 * them all at once. A failed change then rolls back every change since the last commit, so the
 * next sync fails: none of those changes may be acknowledged.
 *
 * <p>A failed write or commit (a full disk, an I/O error) may leave MVStore closed, so the next
 * call closes the file and opens it again at its last commit: the store heals itself once the
 * disk lets it.
 */
final class MapDbStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(MapDbStore.class);

    private volatile MapDbFiles files;
    /** Why the open file can no longer be used; it is reopened by the next call. Guarded by the write lock. */
    private volatile String broken;
    /** Commits between two compaction steps: a step checks the fill rate and moves at most 1 MB. */
    private static final int COMPACT_EVERY = 64;
    /** Growth of the file that triggers a compaction step before 64 commits. */
    private static final long COMPACT_GROWTH = 4L << 20;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final boolean groupCommit;
    private boolean closed;
    /** Group commit: changes made since the last commit. */
    private boolean uncommitted;
    /** Group commit: a rollback since the last commit undid changes their callers believe made. */
    private String undoneSinceSync;
    /** Commits since the last compaction step. Guarded by the write lock. */
    private int commitsSinceCompaction;
    /** The file's size after the last compaction step. Guarded by the write lock. */
    private long sizeAtCompaction;

    private final MapDbSessions sessions;
    private final MapDbSubscriptions subscriptions;
    private final MapDbRetained retained;
    private final MapDbMessages messages;

    MapDbStore(MapDbFiles files, boolean groupCommit) {
        this.files = files;
        this.groupCommit = groupCommit;
        this.sessions = new MapDbSessions(this);
        this.subscriptions = new MapDbSubscriptions(this);
        this.retained = new MapDbRetained(this);
        this.messages = new MapDbMessages(this);
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

    /** Changes are serialized by the file's single transaction; reads run side by side. */
    @Override
    public int maxConcurrency() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    @Override
    public void close() {
        Lock write = lock.writeLock();
        write.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (uncommitted) {
                files.commitDurably(); // a clean stop keeps what was written since the last sync
            }
            files.mv.close();
            log.info("mapdb file {} closed", files.file);
        } catch (RuntimeException e) {
            throw new PersistenceException("closing the mapdb file " + files.file + " failed: " + e, e);
        } finally {
            write.unlock();
        }
    }

    MapDbFiles files() {
        return files;
    }

    /** A change to the store; returns whether it changed anything, so no-ops skip the commit. */
    interface Change {
        boolean apply();
    }

    /** Applies {@code change} and commits it, or rolls it back and throws. */
    void write(String what, Change change) {
        Lock write = lock.writeLock();
        write.lock();
        try {
            ensureOpen(what);
            if (broken != null) {
                reopenIfBroken(what);
            }
            try {
                if (change.apply()) {
                    if (groupCommit) {
                        uncommitted = true;
                    } else {
                        commit();
                    }
                }
            } catch (RuntimeException | AssertionError e) {
                rollback(what);
                if (uncommitted) {
                    undoneSinceSync = what + " failed (" + e + ") and rolled back the changes of the last sync interval";
                    uncommitted = false;
                }
                broken = why(e);
                throw new PersistenceException("mapdb file " + files.file + ": " + what + " failed: " + why(e), e);
            }
        } finally {
            write.unlock();
        }
    }

    /**
     * Commits and syncs; every 64 commits, or once the file grew by 4 MB (large group commits), also
     * compacts a little, so the file stays bounded.
     */
    private void commit() {
        files.commitDurably();
        long size = files.mv.getFileStore().size();
        if (++commitsSinceCompaction >= COMPACT_EVERY || size - sizeAtCompaction >= COMPACT_GROWTH) {
            commitsSinceCompaction = 0;
            try {
                files.compactSome();
                sizeAtCompaction = files.mv.getFileStore().size();
            } catch (RuntimeException e) {
                // the change is committed and synced: it stands; the file is opened again by the next call
                log.warn("mapdb file {}: compacting after a commit failed; opening the file again with the next call: {}",
                        files.file, why(e));
                broken = why(e);
            }
        }
    }

    /** The exception and its causes' messages: a wrapped IOException alone may not say "No space left". */
    static String why(Throwable e) {
        StringBuilder text = new StringBuilder(e.toString());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(": ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

    /** Opens the file again after a failure; throws while it cannot. Takes the write lock. */
    private void reopenIfBroken(String what) {
        Lock write = lock.writeLock();
        write.lock();
        try {
            if (broken == null || closed) {
                return;
            }
            MapDbFiles old = files;
            try {
                old.mv.closeImmediately();
            } catch (RuntimeException e) {
                log.debug("mapdb file {}: closing the failed file", old.file, e);
            }
            try {
                files = MapDbFiles.open(old.file);
            } catch (RuntimeException e) {
                throw new PersistenceException("mapdb file " + old.file + " failed (" + broken + ") and cannot be opened again "
                        + "for " + what + ": " + why(e), e);
            }
            log.info("mapdb file {} opened again after it failed ({})", old.file, broken);
            broken = null;
            uncommitted = false;
        } finally {
            write.unlock();
        }
    }

    @Override
    public Durability durability() {
        return groupCommit ? Durability.ON_SYNC : Durability.ON_RETURN;
    }

    /** Commits every change made since the last commit, and syncs the file once for all. */
    @Override
    public void sync() {
        if (!groupCommit) {
            return;
        }
        Lock write = lock.writeLock();
        write.lock();
        try {
            ensureOpen("sync");
            if (broken != null) {
                reopenIfBroken("sync");
            }
            if (undoneSinceSync != null) {
                String why = undoneSinceSync;
                undoneSinceSync = null;
                throw new PersistenceException("mapdb file " + files.file + ": " + why);
            }
            if (uncommitted) {
                commit();
                uncommitted = false;
            }
        } catch (RuntimeException | AssertionError e) {
            if (e instanceof PersistenceException p) {
                throw p;
            }
            rollback("sync");
            uncommitted = false;
            broken = why(e);
            throw new PersistenceException("mapdb file " + files.file + ": commit failed: " + why(e), e);
        } finally {
            write.unlock();
        }
    }

    <T> T read(String what, Supplier<T> query) {
        if (broken != null) {
            reopenIfBroken(what);
        }
        Lock read = lock.readLock();
        read.lock();
        try {
            ensureOpen(what);
            return query.get();
        } catch (RuntimeException e) {
            if (e instanceof PersistenceException p) {
                throw p;
            }
            throw new PersistenceException("mapdb file " + files.file + ": " + what + " failed: " + why(e), e);
        } finally {
            read.unlock();
        }
    }

    private void ensureOpen(String what) {
        if (closed) {
            throw new PersistenceException("mapdb file " + files.file + " is closed (" + what + ")");
        }
    }

    private void rollback(String what) {
        try {
            files.mv.rollback();
        } catch (RuntimeException e) {
            log.error("mapdb file {}: rolling back after a failed {} failed too", files.file, what, e);
        }
    }
}
