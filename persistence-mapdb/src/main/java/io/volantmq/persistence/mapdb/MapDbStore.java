package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.SubscriptionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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
 * them all at once. A failed change rolls back every change since the last commit, so the changes
 * before it that returned are applied again (their callers may already wait for a sync). Only when
 * that fails too, or the file fails, are they lost: then the next sync fails, and so does the next
 * sync of every thread that made one of them (see {@link Writer}).
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
    /**
     * Group commit: the changes made since the last commit, in order, applied again after a failed
     * change's rollback. They read everything from the store and the arguments they captured (which
     * the callers do not change, or which are copied), so on the same committed state they make the
     * same changes again.
     */
    private final List<Change> uncommitted = new ArrayList<>();
    /** Group commit: changes were lost; the next sync, whoever calls it, fails. */
    private String undoneSinceSync;
    /**
     * Group commit: the changes made since one commit form a generation, committed or lost together;
     * the next change starts the next generation. Guarded by the write lock.
     */
    private long generation;
    /** Generations whose changes were lost. Guarded by the write lock. */
    private final Set<Long> lostGenerations = new HashSet<>();
    /** Each writing thread's {@link Writer}. */
    private final ThreadLocal<Writer> writers = ThreadLocal.withInitial(Writer::new);
    /** Commits since the last compaction step. Guarded by the write lock. */
    private int commitsSinceCompaction;
    /** The file's size after the last compaction step. Guarded by the write lock. */
    private long sizeAtCompaction;
    /** Group commit: commits made so far. Guarded by the write lock. */
    private long commits;
    /** Group commit: held while the file is synced outside the write lock. */
    private final Object fileSyncs = new Object();
    /** Group commit: every commit up to this count is synced to the disk. */
    private final AtomicLong syncedThrough = new AtomicLong();
    /** Group commit: syncs of the file that failed so far (see {@link #fileSyncFailed}). Written under the write lock. */
    private volatile long failedFileSyncs;

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
            if (!uncommitted.isEmpty()) {
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

    /**
     * What a thread's own syncs must know of its changes. The one failing sync that {@link #undoneSinceSync}
     * makes may be another thread's, run before this thread asked (a store lane whose sync began earlier):
     * so a thread whose changes were lost is also told by its own next sync, whoever else was told. Kept
     * per thread because a sync has no other name for its caller; a thread that never syncs (an event
     * loop whose syncs a group-commit thread makes) is told by {@link #undoneSinceSync} only.
     */
    private static final class Writer {
        /** The generation of this thread's last change not yet settled; -1 for none. */
        long generation = -1;
        /** A change of this thread was lost and no sync of this thread has failed since. */
        boolean lost;
    }

    /** Settles {@code writer}'s last change once its generation ended: committed, or lost. Write lock held. */
    private void settle(Writer writer) {
        if (writer.generation >= 0 && writer.generation != generation) {
            writer.lost |= lostGenerations.contains(writer.generation);
            writer.generation = -1;
        }
    }

    /** The current generation's changes are gone: its writers and the next sync must know. Write lock held. */
    private void lose(String why) {
        if (uncommitted.isEmpty()) {
            return;
        }
        if (why != null) {
            undoneSinceSync = why;
        }
        lostGenerations.add(generation);
        generation++;
        uncommitted.clear();
    }

    /** The current generation's changes are committed. Write lock held. */
    private void committed() {
        if (!uncommitted.isEmpty()) {
            generation++;
            uncommitted.clear();
        }
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
                        Writer writer = writers.get();
                        settle(writer);
                        writer.generation = generation;
                        uncommitted.add(change);
                    } else {
                        commit();
                    }
                }
            } catch (RuntimeException | AssertionError e) {
                rollback(what);
                if (!uncommitted.isEmpty() && applyAgain(what)) {
                    // the file works (the others' changes went in again): opening it again would drop them
                    throw new PersistenceException("mapdb file " + files.file + ": " + what + " failed: " + why(e), e);
                }
                lose(what + " failed (" + e + ") and rolled back the changes of the last sync interval");
                broken = why(e);
                throw new PersistenceException("mapdb file " + files.file + ": " + what + " failed: " + why(e), e);
            }
        } finally {
            write.unlock();
        }
    }

    /**
     * Applies the changes since the last commit again after {@code what} failed and was rolled back
     * with them; false, with everything rolled back, when one of them fails now.
     */
    private boolean applyAgain(String what) {
        if (files.mv.isClosed()) {
            return false;
        }
        try {
            for (Change change : uncommitted) {
                change.apply();
            }
            return true;
        } catch (RuntimeException | AssertionError e) {
            log.error("mapdb file {}: applying the changes since the last sync again after {} failed, failed too: they are lost",
                    files.file, what, e);
            rollback("applying changes again");
            return false;
        }
    }

    /**
     * Commits and syncs; every 64 commits, or once the file grew by 4 MB (large group commits), also
     * compacts a little, so the file stays bounded.
     */
    private void commit() {
        files.commitDurably();
        if (compactionDue()) {
            compact();
        }
    }

    /** A compaction step is due every 64 commits, or once the file grew by 4 MB. Write lock held. */
    private boolean compactionDue() {
        long size = files.mv.getFileStore().size();
        if (++commitsSinceCompaction >= COMPACT_EVERY || size - sizeAtCompaction >= COMPACT_GROWTH) {
            commitsSinceCompaction = 0;
            return true;
        }
        return false;
    }

    /** After a synced commit: a failure leaves the commit standing; the file is opened again by the next call. */
    private void compact() {
        try {
            files.compactSome();
            sizeAtCompaction = files.mv.getFileStore().size();
        } catch (RuntimeException e) {
            log.warn("mapdb file {}: compacting after a commit failed; opening the file again with the next call: {}",
                    files.file, why(e));
            broken = why(e);
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
            lose("the file failed (" + broken + ") and was opened again at its last commit");
            broken = null;
        } finally {
            write.unlock();
        }
    }

    @Override
    public Durability durability() {
        return groupCommit ? Durability.ON_SYNC : Durability.ON_RETURN;
    }

    /**
     * Commits every change made since the last commit, and syncs the file once for all. The commit runs
     * under the write lock, the file's sync after it: other threads' changes go on meanwhile (a store lane
     * fills its next round while another lane's sync waits for the disk), and a sync that finds its changes
     * already committed by another thread's sync still waits for a sync of the file that began after it.
     */
    @Override
    public void sync() {
        if (!groupCommit) {
            return;
        }
        long needed;
        long failedBefore;
        MapDbFiles committedTo;
        Lock write = lock.writeLock();
        write.lock();
        try {
            failedBefore = failedFileSyncs; // read first: a failure after this is seen by this call's end
            ensureOpen("sync");
            if (broken != null) {
                reopenIfBroken("sync");
            }
            Writer writer = writers.get();
            settle(writer);
            if (undoneSinceSync != null || writer.lost) {
                String why = undoneSinceSync != null ? undoneSinceSync : "changes this thread made since its last sync were lost";
                undoneSinceSync = null;
                writer.lost = false;
                throw new PersistenceException("mapdb file " + files.file + ": " + why);
            }
            if (!uncommitted.isEmpty()) {
                if (files.commit()) {
                    commits++;
                }
                if (compactionDue()) {
                    // synced under the lock first, as with commit=each: the compaction's own fsync must not be the
                    // one that reports (and clears) an error of this commit's writes
                    files.mv.sync();
                    syncedThrough.accumulateAndGet(commits, Math::max);
                    compact();
                }
                committed();
            }
            needed = commits;
            committedTo = files;
        } catch (RuntimeException | AssertionError e) {
            if (e instanceof PersistenceException p) {
                throw p;
            }
            rollback("sync");
            writers.get().generation = -1; // this thread is told now, by this failure
            lose(null); // the other writers are told by their next sync; this failure tells this sync's callers
            broken = why(e);
            throw new PersistenceException("mapdb file " + files.file + ": commit failed: " + why(e), e);
        } finally {
            write.unlock();
        }
        if (syncedThrough.get() < needed) {
            syncFile(committedTo, needed, failedBefore);
        }
    }

    /** A sync of the file failed: every sync running now fails, and so does the next one. Write lock held. */
    private void fileSyncFailed(String why) {
        failedFileSyncs++;
        undoneSinceSync = why + ": changes since the last sync may be lost";
    }

    /**
     * Syncs the file outside the write lock, covering every commit up to {@code needed}. A failed sync
     * leaves it unknown which commits reached the disk: the file is opened again by the next call, the next
     * sync fails (whoever asks), and so does every sync that ran while it failed.
     */
    private void syncFile(MapDbFiles committedTo, long needed, long failedBefore) {
        // one at a time: a sync after a failed one must not return before that failure is counted
        synchronized (fileSyncs) {
            syncFileAlone(committedTo, failedBefore);
        }
        syncedThrough.accumulateAndGet(needed, Math::max);
    }

    private void syncFileAlone(MapDbFiles committedTo, long failedBefore) {
        try {
            committedTo.mv.sync();
            if (committedTo.mv.isClosed()) {
                // closed meanwhile (opened again after a failure): MVStore then skips the fsync without a word
                throw new IllegalStateException("the file was closed while it was being synced");
            }
        } catch (RuntimeException | AssertionError e) {
            Lock write = lock.writeLock();
            write.lock();
            try {
                if (files == committedTo) {
                    broken = why(e);
                }
                fileSyncFailed("syncing the file failed (" + why(e) + ")");
            } finally {
                write.unlock();
            }
            throw new PersistenceException("mapdb file " + committedTo.file + ": sync failed: " + why(e), e);
        }
        if (failedFileSyncs != failedBefore) {
            throw new PersistenceException("mapdb file " + committedTo.file + ": another sync of the file failed "
                    + "while this one ran: changes since the last sync may be lost");
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
