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
 * One store lane. Event loops hand it {@link Batch}es (the store changes and acknowledgements of one
 * connection's event-loop turn) and go on; the lane thread runs everything that queued up meanwhile (a round),
 * makes it durable with one {@link Store#sync()} (group commit, shared with the other lanes by
 * {@link SharedSync}), then tells each batch, in order, whether its changes are durable. Where the store asks
 * for it ({@link Store#overlapSyncWithChanges()}) a second, settling thread syncs and tells instead, for every
 * round handed over since its last sync, while the lane thread runs the next round. Batches run and are told in
 * the order they came, so one client's work (always on the same lane) stays in order.
 */
public final class StoreLane {
    private static final Logger log = LoggerFactory.getLogger(StoreLane.class);

    /** Work of one connection's turn; {@link #run()} is called on the lane thread, {@link #done} on it or its settling thread. */
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
    /** Rounds whose changes ran, waiting for their sync and completions; {@link #NO_MORE_ROUNDS} ends it. */
    private final LinkedBlockingQueue<Round> settling = new LinkedBlockingQueue<>();
    /** The settling thread; null where the lane thread syncs between rounds. */
    private final Thread settler;
    private volatile boolean closed;

    /** The batches of one round and whether each one's changes ran. */
    private record Round(List<Batch> batches, boolean[] ran) {
    }

    private static final Round NO_MORE_ROUNDS = new Round(List.of(), new boolean[0]);

    StoreLane(Store store, SharedSync sharedSync, int backlogBound, String name) {
        this.store = store;
        this.sharedSync = sharedSync;
        this.syncs = store.durability() == Store.Durability.ON_SYNC;
        this.backlogBound = backlogBound;
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        if (syncs && store.overlapSyncWithChanges()) {
            settler = new Thread(this::settle, name + "-sync");
            settler.setDaemon(true);
            settler.start();
        } else {
            settler = null;
        }
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
                taken = new ArrayList<>(); // the round handed over keeps its list
            }
            if (stop) {
                if (settler != null) {
                    settling.add(NO_MORE_ROUNDS);
                }
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
        if (settler != null) {
            settling.add(new Round(batches, ran));
        } else {
            settle(List.of(new Round(batches, ran)));
        }
    }

    /** The settling thread: syncs once for every round handed over since its last sync, then completes them. */
    private void settle() {
        List<Round> rounds = new ArrayList<>();
        while (true) {
            try {
                rounds.add(settling.take());
            } catch (InterruptedException e) {
                continue; // only the lane thread's end stops this thread, with NO_MORE_ROUNDS
            }
            settling.drainTo(rounds);
            boolean stop = rounds.remove(NO_MORE_ROUNDS);
            if (!rounds.isEmpty()) {
                settle(rounds);
                rounds.clear();
            }
            if (stop) {
                return;
            }
        }
    }

    private void settle(List<Round> rounds) {
        // one sync covers every change the lane thread made before handing these rounds over
        boolean syncing = syncs && rounds.stream().anyMatch(r -> r.batches().stream().anyMatch(Batch::needsSync));
        int batches = rounds.stream().mapToInt(r -> r.batches().size()).sum();
        boolean synced = !syncing || sync(batches);
        batchCount.add(batches);
        for (Round round : rounds) {
            for (int i = 0; i < round.batches().size(); i++) {
                Batch batch = round.batches().get(i);
                backlog.addAndGet(-batch.size());
                try {
                    batch.done(round.ran()[i] && synced);
                } catch (RejectedExecutionException e) {
                    log.debug("a store lane batch's event loop has shut down", e); // the broker is stopping
                } catch (Throwable e) { // an Error too: this thread dying would leave every later ack waiting
                    log.error("a store lane batch's completion failed", e);
                }
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
            if (settler != null) {
                settler.join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
