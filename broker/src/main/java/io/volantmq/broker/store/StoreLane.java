package io.volantmq.broker.store;

import io.volantmq.persistence.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One store thread. Event loops hand it {@link Batch}es (the store changes and acknowledgements of
 * one connection's event-loop turn) and go on; the lane runs everything that queued up meanwhile,
 * makes it durable with one {@link Store#sync()} (group commit, shared with the other lanes by
 * {@link SharedSync}), then tells each batch whether its changes are durable. Batches run in the
 * order they came, so one client's work (always on the same lane) stays in order.
 */
public final class StoreLane {
    private static final Logger log = LoggerFactory.getLogger(StoreLane.class);

    /** Work of one connection's turn; {@link #run()} and {@link #done} are called on the lane thread. */
    public interface Batch {
        /** The store changes; a {@link RuntimeException} (a failing store) makes the batch not durable. */
        void run();

        /** Packets this batch holds: what it counts against the lane's backlog. */
        int size();

        /** Whether its changes are durable; must not block (it hands over to an event loop). */
        void done(boolean durable);

        /** False when losing its changes in a crash costs nothing but repeats: the lane need not sync for it. */
        default boolean needsSync() {
            return true;
        }
    }

    private static final Batch STOP = new Batch() {
        @Override
        public void run() {
        }

        @Override
        public int size() {
            return 0;
        }

        @Override
        public void done(boolean durable) {
        }
    };

    private final Store store;
    private final SharedSync sharedSync;
    private final boolean syncs;
    private final int backlogBound;
    private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger backlog = new AtomicInteger();
    private final LongAdder batchCount = new LongAdder();
    private final Thread thread;
    private volatile boolean closed;

    StoreLane(Store store, SharedSync sharedSync, int backlogBound, String name) {
        this.store = store;
        this.sharedSync = sharedSync;
        this.syncs = store.durability() == Store.Durability.ON_SYNC;
        this.backlogBound = backlogBound;
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues {@code batch}; never blocks. True when the lane now holds more than its bound: the
     * caller should stop reading from its client until its batches are done. After {@link StoreLanes#close()},
     * the batch is told at once that it is not durable.
     */
    public boolean submit(Batch batch) {
        if (closed) {
            batch.done(false);
            return false;
        }
        int held = backlog.addAndGet(batch.size());
        queue.add(batch);
        return held > backlogBound;
    }

    /** Packets queued and not yet done. */
    public int backlog() {
        return backlog.get();
    }

    long batches() {
        return batchCount.sum();
    }

    private void loop() {
        List<Batch> taken = new ArrayList<>();
        while (true) {
            try {
                taken.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() stops this thread, with STOP
            }
            queue.drainTo(taken);
            boolean stop = taken.remove(STOP);
            if (!taken.isEmpty()) {
                runAll(taken);
                taken.clear();
            }
            if (stop) {
                return;
            }
        }
    }

    private void runAll(List<Batch> batches) {
        boolean[] ran = new boolean[batches.size()];
        // the round's queue appends reach the store in one write, not one per PUBLISH
        GuardedStore gathering = store instanceof GuardedStore guarded ? guarded : null;
        if (gathering != null) {
            gathering.gatherAppends();
        }
        for (int i = 0; i < batches.size(); i++) {
            ran[i] = runOne(batches.get(i));
        }
        if (gathering != null && !gathering.appendGathered()) {
            Arrays.fill(ran, false); // which batch's appends failed is not known: none is acknowledged
        }
        // one sync covers every change made above, whichever batch made it
        boolean syncing = syncs && batches.stream().anyMatch(Batch::needsSync);
        boolean synced = !syncing || sync(batches.size());
        batchCount.add(batches.size());
        for (int i = 0; i < batches.size(); i++) {
            Batch batch = batches.get(i);
            backlog.addAndGet(-batch.size());
            try {
                batch.done(ran[i] && synced);
            } catch (RejectedExecutionException e) {
                log.debug("a store lane batch's event loop has shut down", e); // the broker is stopping
            } catch (Throwable e) { // an Error too: this thread dying would leave every later ack waiting
                log.error("a store lane batch's completion failed", e);
            }
        }
    }

    private static boolean runOne(Batch batch) {
        try {
            batch.run();
            return true;
        } catch (RuntimeException e) { // the store failing (PersistenceException) or a bug: not acknowledged
            log.warn("store changes failed, not acknowledging them: {}", e.toString());
            return false;
        } catch (Throwable e) { // an Error too: this thread must outlive any backend failure
            log.error("store changes failed", e);
            return false;
        }
    }

    private boolean sync(int batches) {
        try {
            return sharedSync.sync();
        } catch (Throwable e) { // PersistenceException, or worse: nothing of this round is acknowledged
            log.error("store sync failed, refusing what {} batches would acknowledge: {}", batches, e.toString());
            return false;
        }
    }

    /** Runs what is queued, then stops the thread. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
