package io.volantmq.persistence.buffered;

import io.volantmq.persistence.StoreHealth;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.SubscriptionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Buffered background sync: a write-behind decorator for any {@link Store}. Every change returns
 * at once (the broker acknowledges at once); the changes reach the wrapped store ("backend") in
 * the order they were made, on one background thread, as soon as the oldest waiting change is
 * {@link Options#syncIntervalMillis} old, or earlier when {@link Options#batchOps} changes or
 * {@link Options#batchBytes} bytes wait.
 *
 * <h2>Loss window</h2>
 * On {@code kill -9} or power loss, at most the last {@code syncIntervalMillis} of acknowledged
 * changes are lost; everything acknowledged earlier is in the backend, as durable as the backend
 * makes it. Precisely: a change is handed to the backend no later than {@code syncIntervalMillis}
 * after it was made and is safe once that backend call returns (for a group-commit backend, once
 * the sync that ends its batch returns), so the changes of a batch still
 * being written at the crash are lost too. The bound holds while the backend keeps up with the
 * incoming changes. The backend gets one call per change; with group commit (the default of the
 * durable backends) a batch costs one disk sync, otherwise one per change, and the backend's rate
 * of such writes is the sustained limit; beyond it, or while the backend fails, the window is whatever still
 * waits, bounded by {@link Options#maxPendingOps} and {@link Options#maxPendingBytes} (see
 * back-pressure), logged at WARN and visible as {@link BufferedBacklog#oldestMillis()}.
 * {@link #close()} writes everything before it returns; a JVM that exits without closing the
 * store loses what waits, like a crash. What reaches the backend before a crash is the changes in
 * the order they were made, except that a change superseded before it was written is skipped or
 * folded into the earlier one (coalescing, below), so a key may show an older value than the
 * changes around it.
 *
 * <h2>Reads</h2>
 * A read answers from the backend plus the changes still waiting, so every caller sees its own
 * writes at once. Reads never wait for the interval; a read may wait for the single backend
 * write in progress, because the flusher writes a change and drops it from the in-memory view
 * atomically with respect to readers. A {@code forEach} visitor may read and write the store
 * (its writes skip back-pressure, since the flusher waits for the visit), but must not call
 * {@link #flush} or {@link #close}.
 *
 * <h2>Memory</h2>
 * Only what is waiting is held, not the working set: each waiting change with its data (a
 * queued message's body once, however many queues it goes to), bounded as above. In addition,
 * for every queue entry enqueued through this instance that has been written and is still
 * queued, 20 bytes map its sequence number to the backend's (see {@link BufferedSequences}).
 *
 * <h2>Coalescing</h2>
 * A change superseded before it was written is not written: a message enqueued and removed
 * (from every queue it went to) before the flush never reaches the backend, nor do its inflight
 * updates; repeated inflight updates of an entry, puts of a session, a retained topic or a
 * subscription keep only the last value; a clear drops the queue's waiting changes.
 *
 * <h2>Sequence numbers</h2>
 * {@link MessageStore#enqueue} hands out sequence numbers at once, before the backend has
 * assigned its own; they stay valid for the life of this instance and keep every promise of the
 * SPI (positive, increasing per queue, never reused, also after a restart). A restart shows
 * entries with the backend's sequence numbers: an entry keeps its number only while the store
 * that handed it out is open. The broker holds no sequence numbers across a restart. Learning
 * the backend's numbers costs one extra backend read per written enqueue and queue.
 *
 * <h2>Back-pressure and failures</h2>
 * When {@link Options#maxPendingOps} changes or {@link Options#maxPendingBytes} bytes wait, a
 * caller blocks until the flusher has made room, for at most {@link Options#maxBlockMillis}; then,
 * or at once while the backend is failing, the change is refused with a
 * {@link PersistenceException} (the broker then refuses the acknowledgement). A failed backend
 * write is retried, with the changes kept in order, until it succeeds; the first failure of an
 * episode is logged at ERROR and {@link #health()} reports it until a write succeeds again.
 *
 * <h2>Use</h2>
 * Wrap the backend's guard (the broker's GuardedStore), not the other way round: the flusher then meets an
 * open circuit at once and retries it, reads fail fast while the backend is down, and only
 * this store's refusals (a full backlog) reach the broker as write failures. Its
 * {@link #health()} is the one that says whether acknowledged changes are being written.
 */
public final class BufferedStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(BufferedStore.class);
    private static final long MIN_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 2000;

    /**
     * Settings of a {@link BufferedStore}.
     *
     * @param syncIntervalMillis the longest a change waits before it is handed to the backend: the
     *                           loss window
     * @param batchOps           write earlier once this many changes wait
     * @param batchBytes         write earlier once the waiting changes hold this many bytes
     * @param maxPendingOps      callers block (back-pressure) while this many changes wait
     * @param maxPendingBytes    callers block while the waiting changes hold this many bytes
     * @param maxBlockMillis     how long a blocked caller waits before its change is refused
     * @param closeTimeoutMillis how long {@link #close()} keeps retrying a failing backend before
     *                           it gives up on what is still waiting (and says so at ERROR)
     */
    public record Options(long syncIntervalMillis, int batchOps, long batchBytes, int maxPendingOps,
                          long maxPendingBytes, long maxBlockMillis, long closeTimeoutMillis) {

        public static final Options DEFAULTS = new Options(1000, 10_000, 16L << 20, 100_000, 64L << 20, 5000, 30_000);

        public Options {
            if (syncIntervalMillis < 0 || batchOps < 1 || batchBytes < 1 || maxPendingOps < batchOps
                    || maxPendingBytes < batchBytes || maxBlockMillis < 0 || closeTimeoutMillis < 0) {
                throw new IllegalArgumentException("invalid buffered store options: " + syncIntervalMillis + " ms, batch "
                        + batchOps + " ops/" + batchBytes + " bytes, at most " + maxPendingOps + " ops/" + maxPendingBytes
                        + " bytes waiting, block " + maxBlockMillis + " ms, close " + closeTimeoutMillis + " ms");
            }
        }

        public Options withSyncIntervalMillis(long millis) {
            return new Options(millis, batchOps, batchBytes, maxPendingOps, maxPendingBytes, maxBlockMillis, closeTimeoutMillis);
        }
    }

    private final Store backend;
    private final String name;
    private final Options options;
    private final long intervalNanos;
    private final BufferedSessions sessions;
    private final BufferedSubscriptions subscriptions;
    private final BufferedRetained retained;
    private final BufferedMessages messages;
    private final Thread flusher;

    /** Guards the journal, the counters below and every domain's in-memory view. */
    final ReentrantLock mutex = new ReentrantLock();
    private final Condition work = mutex.newCondition();
    private final Condition room = mutex.newCondition();
    private final Condition progress = mutex.newCondition();
    /** Readers share it; the flusher holds it exclusively while it writes and retires one op. */
    private final ReentrantReadWriteLock applyLock = new ReentrantReadWriteLock();

    private final ArrayDeque<BufferedOp> journal = new ArrayDeque<>();
    private long nextOpSeq = 1;
    /** Ops with a seq below this are written without waiting for the interval (flush, back-pressure). */
    private long flushBefore;
    private int liveOps;
    private long liveBytes;
    private int waitingWriters;
    private int waitingFlushers;
    private boolean closing;
    private boolean abandoned;
    private volatile boolean closed;

    private long writtenOps;
    private long coalescedOps;
    private long blockedWrites;
    private long refusedWrites;

    private final BufferedWriteHealth writeHealth;

    public BufferedStore(Store backend, String name) {
        this(backend, name, Options.DEFAULTS);
    }

    /** Wraps {@code backend}, which it owns from now on: {@link #close()} closes it. */
    public BufferedStore(Store backend, String name, Options options) {
        this.backend = backend;
        this.name = name;
        this.options = options;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(options.syncIntervalMillis());
        this.writeHealth = new BufferedWriteHealth(name, options.syncIntervalMillis());
        this.sessions = new BufferedSessions(this, backend.sessions());
        this.subscriptions = new BufferedSubscriptions(this, backend.subscriptions());
        this.retained = new BufferedRetained(this, backend.retained());
        this.messages = new BufferedMessages(this, backend.messages());
        this.flusher = new Thread(this::runFlusher, "volantmq-store-flusher-" + name);
        flusher.setDaemon(true);
        flusher.start();
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
    public int maxConcurrency() {
        return backend.maxConcurrency();
    }

    public Options options() {
        return options;
    }

    /** Whether the backend takes the writes; {@code failedCalls} counts failed write attempts. */
    public StoreHealth health() {
        return writeHealth.health();
    }

    /** What waits in memory and what has been written, since this store was opened. */
    public BufferedBacklog backlog() {
        mutex.lock();
        try {
            BufferedOp head = firstLive();
            long oldest = head == null ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - head.createdNanos);
            return new BufferedBacklog(liveOps, liveBytes, oldest, writtenOps, coalescedOps, blockedWrites, refusedWrites);
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Writes every change made before this call to the backend and syncs it, so that it survives a
     * crash. The broker never calls it (buffered mode acknowledges at once, its loss window is the
     * point); it lets the contract suite's kill test hold this store to what a sync promises.
     */
    @Override
    public void sync() {
        if (!flush(options.closeTimeoutMillis())) {
            String lastError = writeHealth.lastError();
            throw new PersistenceException("store '" + name + "': changes not written within "
                    + options.closeTimeoutMillis() + " ms" + (lastError == null ? "" : " (" + lastError + ")"));
        }
        backend.sync();
    }

    /**
     * Writes every change made before this call to the backend without waiting for the interval,
     * and waits for that up to {@code timeoutMillis}.
     *
     * @return true once written, false on timeout (e.g. while the backend fails)
     */
    public boolean flush(long timeoutMillis) {
        requireNotInsideRead("flush()");
        mutex.lock();
        try {
            ensureOpen();
            long target = nextOpSeq;
            flushBefore = Math.max(flushBefore, target);
            work.signal();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            while (!writtenBefore(target)) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || closed) {
                    return false;
                }
                waitingFlushers++;
                try {
                    progress.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                } finally {
                    waitingFlushers--;
                }
            }
            return true;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Writes everything still waiting, then closes the backend. While the backend fails, it keeps
     * retrying for {@link Options#closeTimeoutMillis} and then gives up on what is left, logging at
     * ERROR how many changes are lost.
     */
    @Override
    public void close() {
        requireNotInsideRead("close()");
        int lost = 0;
        mutex.lock();
        try {
            if (closed || closing) {
                return;
            }
            closing = true;
            work.signal();
            while (firstLive() != null) {
                if (writeHealth.failing() && System.nanoTime() - writeHealth.failingSinceNanos()
                        > TimeUnit.MILLISECONDS.toNanos(options.closeTimeoutMillis())) {
                    abandoned = true;
                    lost = liveOps;
                    work.signal();
                    break;
                }
                waitingFlushers++;
                try {
                    progress.awaitNanos(TimeUnit.MILLISECONDS.toNanos(100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    abandoned = true;
                    lost = liveOps;
                    work.signal();
                    break;
                } finally {
                    waitingFlushers--;
                }
            }
            // from here on nothing is accepted, so nothing can slip in behind the last batch
            closed = true;
            room.signalAll();
            progress.signalAll();
        } finally {
            mutex.unlock();
        }
        try {
            flusher.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (lost > 0) {
            log.error("store '{}' closed with {} acknowledged changes not written: the backend kept failing for {} ms ({})",
                    name, lost, options.closeTimeoutMillis(), writeHealth.lastError());
        }
        backend.close();
    }

    // ---- used by the domains --------------------------------------------------------------

    /**
     * Takes the mutex for a change of {@code weight} bytes, first waiting for room in the
     * backlog (back-pressure). Pair with {@link #unlock()}.
     */
    void lockForWrite(long weight) {
        mutex.lock();
        try {
            ensureOpen();
            awaitRoom(weight);
        } catch (RuntimeException e) {
            mutex.unlock();
            throw e;
        }
    }

    void unlock() {
        mutex.unlock();
    }

    /** Appends a new op to the journal; the caller holds the mutex. */
    void append(BufferedOp op, long weight) {
        op.seq = nextOpSeq++;
        op.createdNanos = System.nanoTime();
        op.weight = weight;
        journal.addLast(op);
        liveOps++;
        liveBytes += weight;
        if (journal.size() == 1 || journal.size() >= options.batchOps() || liveBytes >= options.batchBytes()) {
            work.signal();
        }
    }

    /** Drops a pending op that a later change superseded; the caller holds the mutex. */
    void cancel(BufferedOp op) {
        if (op.state != BufferedOp.State.PENDING) {
            throw new IllegalStateException("only a pending op can be cancelled: " + op.describe() + " is " + op.state);
        }
        op.state = BufferedOp.State.CANCELLED;
        liveOps--;
        liveBytes -= op.weight;
        coalescedOps++;
        roomMade();
    }

    /** Notes that a change was folded into a pending op; the caller holds the mutex. */
    void coalesced(BufferedOp op, long weight) {
        liveBytes += weight - op.weight;
        op.weight = weight;
        coalescedOps++;
    }

    /** Notes a change that undid a waiting one and needs no write itself; the caller holds the mutex. */
    void undid() {
        coalescedOps++;
    }

    /** Runs a read holding the shared apply lock: the backend and the view do not change under it. */
    <T> T read(Supplier<T> body) {
        Lock lock = applyLock.readLock();
        lock.lock();
        try {
            ensureOpen();
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    String name() {
        return name;
    }

    // ---- the flusher ------------------------------------------------------------------------

    private void runFlusher() {
        long backoffMillis = MIN_BACKOFF_MILLIS;
        while (true) {
            long cycleEnd;
            long lagNanos;
            mutex.lock();
            try {
                if (!awaitCycle()) {
                    return;
                }
                cycleEnd = nextOpSeq;
                BufferedOp head = firstLive();
                lagNanos = head == null ? 0 : System.nanoTime() - head.createdNanos;
            } finally {
                mutex.unlock();
            }
            writeHealth.reportLag(lagNanos);
            try {
                drain(cycleEnd);
                backend.sync(); // a group-commit backend: one sync for the whole batch
                backoffMillis = MIN_BACKOFF_MILLIS;
            } catch (Throwable e) {
                if (!backOff(backoffMillis)) {
                    return;
                }
                backoffMillis = Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
            }
        }
    }

    /** Waits until a batch is due; false when the flusher should stop. The caller holds the mutex. */
    private boolean awaitCycle() {
        while (true) {
            if (abandoned) {
                return false;
            }
            BufferedOp head = firstLive();
            if (head == null) {
                progress.signalAll();
                if (closing) {
                    return false;
                }
                work.awaitUninterruptibly();
                continue;
            }
            long wait = closing || head.seq < flushBefore || journal.size() >= options.batchOps()
                    || liveBytes >= options.batchBytes() ? 0 : head.createdNanos + intervalNanos - System.nanoTime();
            if (wait <= 0) {
                return true;
            }
            try {
                work.awaitNanos(wait);
            } catch (InterruptedException e) {
                // the flusher is never interrupted on purpose; keep writing
            }
        }
    }

    /** Writes the ops made before {@code cycleEnd}, one at a time, in order; throws on the first failure. */
    private void drain(long cycleEnd) {
        while (true) {
            BufferedOp op;
            mutex.lock();
            try {
                if (abandoned) {
                    return;
                }
                op = firstLive();
                if (op == null || op.seq >= cycleEnd) {
                    return;
                }
                op.state = BufferedOp.State.APPLYING;
            } finally {
                mutex.unlock();
            }
            Lock exclusive = applyLock.writeLock();
            exclusive.lock();
            try {
                op.apply();
                mutex.lock();
                try {
                    op.retire();
                    op.state = BufferedOp.State.DONE;
                    journal.pollFirst();
                    liveOps--;
                    liveBytes -= op.weight;
                    writtenOps++;
                    roomMade();
                    if (waitingFlushers > 0) {
                        progress.signalAll();
                    }
                } finally {
                    mutex.unlock();
                }
            } catch (RuntimeException | Error e) {
                writeHealth.failed(op, e, this::waitingOps);
                throw e;
            } finally {
                exclusive.unlock();
            }
            if (writeHealth.failing()) {
                writeHealth.recovered();
            }
        }
    }

    /** Sleeps before the next attempt; false when the flusher should stop (close gave up). */
    private boolean backOff(long millis) {
        mutex.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            for (long left = deadline - System.nanoTime(); left > 0 && !abandoned; left = deadline - System.nanoTime()) {
                if (waitingFlushers > 0) {
                    progress.signalAll(); // close() checks its timeout
                }
                try {
                    work.awaitNanos(left);
                } catch (InterruptedException e) {
                    // keep retrying
                }
            }
            return !abandoned;
        } finally {
            mutex.unlock();
        }
    }

    /** How many changes wait; takes the mutex. */
    private int waitingOps() {
        mutex.lock();
        try {
            return liveOps;
        } finally {
            mutex.unlock();
        }
    }

    // ---- helpers (caller holds the mutex) -----------------------------------------------------

    /** The oldest op not cancelled; drops cancelled ones from the head. */
    private BufferedOp firstLive() {
        BufferedOp head = journal.peekFirst();
        while (head != null && head.state == BufferedOp.State.CANCELLED) {
            journal.pollFirst();
            head = journal.peekFirst();
        }
        return head;
    }

    private boolean writtenBefore(long target) {
        BufferedOp head = firstLive();
        return head == null || head.seq >= target;
    }

    private boolean full(long weight) {
        return liveOps >= options.maxPendingOps() || (liveOps > 0 && liveBytes + weight > options.maxPendingBytes());
    }

    private void roomMade() {
        if (waitingWriters > 0 && !full(0)) {
            room.signalAll();
        }
    }

    private void awaitRoom(long weight) {
        if (!full(weight) || applyLock.getReadHoldCount() > 0) {
            // a forEach visitor that writes holds up the flusher itself: it must not wait for it
            return;
        }
        blockedWrites++;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.maxBlockMillis());
        while (full(weight)) {
            if (writeHealth.failing()) {
                refusedWrites++;
                throw new PersistenceException("store '" + name + "' is failing (" + writeHealth.lastError() + ") and " + liveOps
                        + " acknowledged changes already wait to be written: refusing more");
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                refusedWrites++;
                throw new PersistenceException("store '" + name + "': " + liveOps + " changes (" + liveBytes
                        + " bytes) wait to be written and did not drain within " + options.maxBlockMillis() + " ms");
            }
            flushBefore = Math.max(flushBefore, nextOpSeq);
            work.signal();
            waitingWriters++;
            try {
                room.awaitNanos(remaining);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PersistenceException("store '" + name + "': interrupted while waiting for room in the write-behind backlog", e);
            } finally {
                waitingWriters--;
            }
            ensureOpen();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new PersistenceException("store '" + name + "' is closed");
        }
    }

    private void requireNotInsideRead(String what) {
        if (applyLock.getReadHoldCount() > 0) {
            throw new IllegalStateException(what + " inside a forEach visitor would wait for itself");
        }
    }
}
