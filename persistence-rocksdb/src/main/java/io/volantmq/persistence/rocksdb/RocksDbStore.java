package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.SubscriptionStore;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An open RocksDB store: one column family per domain (see {@link RocksDbFiles}). Client-keyed
 * changes hold that client's lock stripe; a shared message body's reference count is changed
 * under the body's stripe, always taken after the client stripes. Every change is one
 * {@link WriteBatch}, so a crash leaves each SPI call either done or not done.
 */
final class RocksDbStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(RocksDbStore.class);

    /** Removals since the last space reclaim that trigger the next one. */
    private static final long RECLAIM_AFTER_ENTRIES = 100_000;
    private static final long RECLAIM_AFTER_BYTES = 64L << 20;

    /** Replaced when the store opens its files again after an I/O error: read them under the lifecycle lock. */
    private volatile RocksDbFiles files;
    private volatile RocksDB db;
    /** Why RocksDB stopped taking writes (an I/O error such as a full disk); the next call opens the files again. */
    private volatile String broken;
    private final Path dir;
    private final WriteOptions writeOptions;
    /** Writes go to the WAL unsynced and {@link #sync()} syncs it: group commit. */
    private final boolean syncOnDemand;
    private volatile IdAllocator ids;
    private final Stripes clientLocks = new Stripes(1024);
    private final Stripes bodyLocks = new Stripes(1024);
    private final Stripes topicLocks = new Stripes(256);
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private final CompactRangeOptions compactOptions = new CompactRangeOptions();
    private final ExecutorService reclaimer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "volantmq-rocksdb-reclaim");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean reclaimPending = new AtomicBoolean();
    private final AtomicLong removedEntries = new AtomicLong();
    private final AtomicLong removedBytes = new AtomicLong();

    private final RocksDbSessions sessions;
    private final RocksDbSubscriptions subscriptions;
    private final RocksDbRetained retained;
    private final RocksDbMessages messages;

    RocksDbStore(RocksDbFiles files, boolean fsync, boolean groupCommit) {
        this.files = files;
        this.db = files.db();
        this.dir = files.dir();
        this.syncOnDemand = groupCommit;
        this.writeOptions = new WriteOptions().setSync(fsync && !groupCommit);
        try {
            this.ids = new IdAllocator(files, writeOptions);
            this.retained = new RocksDbRetained(this);
        } catch (RocksDBException | RuntimeException e) {
            writeOptions.close();
            compactOptions.close();
            reclaimer.shutdown();
            files.close();
            throw e instanceof RocksDBException r ? failure("reading the store's counters", r) : (RuntimeException) e;
        }
        this.sessions = new RocksDbSessions(this);
        this.subscriptions = new RocksDbSubscriptions(this);
        this.messages = new RocksDbMessages(this);
        log.info("rocksdb store at {} open (fsync={}, commit={}): {} retained, about {} sessions, {} queue entries, {} message bodies",
                dir, fsync, groupCommit ? "group" : "each", retained.count(), estimate(files.sessions()), estimate(files.queues()), estimate(files.messages()));
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

    @Override
    public Durability durability() {
        return syncOnDemand ? Durability.ON_SYNC : Durability.ON_RETURN;
    }

    /** One WAL fsync for every write made before it. */
    @Override
    public void sync() {
        if (!syncOnDemand) {
            return;
        }
        run("syncing the WAL", () -> db.flushWal(true));
    }

    /** RocksDB batches concurrent synced writers into one WAL sync, so more lanes than cores help. */
    @Override
    public int maxConcurrency() {
        return Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        compactOptions.setCanceled(true);
        reclaimer.shutdown();
        try {
            if (!reclaimer.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("rocksdb store at {}: space reclaim still running at close", dir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Lock write = lifecycle.writeLock();
        write.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (!writeOptions.sync() && files != null) {
                // unsynced writes reach the OS at once; a clean close also puts them on disk
                db.flushWal(true);
            }
        } catch (RocksDBException e) {
            log.warn("rocksdb store at {}: syncing the WAL at close failed: {}", dir, e.getMessage());
        } finally {
            writeOptions.close();
            compactOptions.close();
            if (files != null) {
                files.close();
            }
            write.unlock();
        }
        log.info("rocksdb store at {} closed", dir);
    }

    /** A store operation that may touch RocksDB. */
    interface Op<T> {
        T run() throws RocksDBException;
    }

    /** A store operation without a result. */
    interface VoidOp {
        void run() throws RocksDBException;
    }

    /** Runs {@code op} unless the store is closed, turning RocksDB failures into PersistenceException. */
    <T> T call(String what, Op<T> op) {
        if (broken != null) {
            reopen(what);
        }
        Lock read = lifecycle.readLock();
        read.lock();
        try {
            if (closed) {
                throw new PersistenceException("rocksdb store at " + dir + " is closed (" + what + ")");
            }
            return op.run();
        } catch (RocksDBException e) {
            throw failed(what, e);
        } finally {
            read.unlock();
        }
    }

    /** The exception to throw; an I/O error also marks the store for opening again. */
    private PersistenceException failed(String what, RocksDBException e) {
        PersistenceException failure = failure(what, e);
        if (e.getStatus() != null && e.getStatus().getCode() == Status.Code.IOError) {
            // RocksDB stays read-only after a background I/O error (a full disk) until the free
            // space it wants is back; opening the files again also recovers once the disk allows
            broken = failure.getMessage();
        }
        return failure;
    }

    /** Closes and opens the files again after an I/O error; throws while that is not possible. */
    private void reopen(String what) {
        Lock write = lifecycle.writeLock();
        write.lock();
        try {
            if (broken == null || closed) {
                return;
            }
            if (files != null) {
                files.close();
                files = null;
            }
            try {
                RocksDbFiles reopened = RocksDbFiles.open(dir);
                ids = new IdAllocator(reopened, writeOptions);
                db = reopened.db();
                files = reopened;
                messages.forgetStats();
            } catch (RocksDBException | RuntimeException e) {
                String why = e instanceof RocksDBException r ? failure("opening again", r).getMessage() : e.getMessage();
                throw new PersistenceException("rocksdb store at " + dir + " failed (" + broken + ") and cannot be "
                        + "opened again for " + what + ": " + why, e);
            }
            log.info("rocksdb store at {} opened again after it failed ({})", dir, broken);
            broken = null;
        } finally {
            write.unlock();
        }
    }

    void run(String what, VoidOp op) {
        call(what, () -> {
            op.run();
            return null;
        });
    }

    private PersistenceException failure(String what, RocksDBException e) {
        String status = e.getStatus() == null ? e.getMessage() : e.getStatus().getCodeString() + " " + e.getMessage();
        return new PersistenceException("rocksdb store at " + dir + ": " + what + " failed: " + status, e);
    }

    void write(WriteBatch batch) throws RocksDBException {
        db.write(writeOptions, batch);
    }

    RocksDB db() {
        return db;
    }

    RocksDbFiles files() {
        return files;
    }

    WriteOptions writeOptions() {
        return writeOptions;
    }

    IdAllocator ids() {
        return ids;
    }

    Stripes clientLocks() {
        return clientLocks;
    }

    Stripes bodyLocks() {
        return bodyLocks;
    }

    Stripes topicLocks() {
        return topicLocks;
    }

    /**
     * Counts removals; after many, compacts the queue and message families in the background so
     * the tombstones of a drained queue and the bodies they freed leave the disk.
     */
    void removed(long entries, long bodyBytes) {
        long e = removedEntries.addAndGet(entries);
        long b = removedBytes.addAndGet(bodyBytes);
        if ((e >= RECLAIM_AFTER_ENTRIES || b >= RECLAIM_AFTER_BYTES) && reclaimPending.compareAndSet(false, true)) {
            try {
                reclaimer.execute(() -> {
                    try {
                        reclaimSpace();
                    } catch (RuntimeException ex) {
                        log.warn("rocksdb store at {}: space reclaim failed: {}", dir, ex.getMessage());
                    } finally {
                        reclaimPending.set(false);
                    }
                });
            } catch (RejectedExecutionException closing) {
                reclaimPending.set(false);
            }
        }
    }

    /** Flushes and compacts the families drained queues leave tombstones in; returns SST bytes after. */
    long reclaimSpace() {
        return call("reclaiming space", () -> {
            removedEntries.set(0);
            removedBytes.set(0);
            List<ColumnFamilyHandle> drained = List.of(files.queues(), files.messages(), files.refs(), files.stats(), files.qos2());
            // flushing every family lets RocksDB delete the WAL files that still hold drained payloads
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                db.flush(flush, files.families());
            }
            long before = sstBytes(drained);
            for (ColumnFamilyHandle family : drained) {
                db.compactRange(family, null, null, compactOptions);
            }
            long after = sstBytes(drained);
            log.info("rocksdb store at {}: compacted drained queues, table files {} -> {} bytes", dir, before, after);
            return after;
        });
    }

    private long sstBytes(List<ColumnFamilyHandle> families) throws RocksDBException {
        long total = 0;
        for (ColumnFamilyHandle family : families) {
            total += Long.parseLong(db.getProperty(family, "rocksdb.total-sst-files-size"));
        }
        return total;
    }

    private long estimate(ColumnFamilyHandle family) {
        try {
            return Long.parseLong(db.getProperty(family, "rocksdb.estimate-num-keys"));
        } catch (RocksDBException | NumberFormatException e) {
            return -1;
        }
    }

    /** Iterates a whole column family (start-up recovery scans). */
    RocksIterator iterator(ColumnFamilyHandle family) {
        return db.newIterator(family);
    }
}
