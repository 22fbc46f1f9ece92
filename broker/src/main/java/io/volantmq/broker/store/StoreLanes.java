package io.volantmq.broker.store;

import io.volantmq.persistence.Store;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The store threads that take durable store work off the event loops: each client id is pinned to
 * one lane ({@code floorMod(clientId.hashCode(), lanes)}), so one client's store work runs in the
 * order it was handed over, and no event loop waits for a disk sync or a Redis round trip. Queue reads
 * for delivery run on {@link #readers()}, beside the lanes: behind a lane they would wait for its sync.
 */
public final class StoreLanes implements AutoCloseable {
    private final StoreLane[] lanes;
    private final SharedSync sharedSync;
    private final ExecutorService readers;

    public StoreLanes(Store store, int count, int backlogBound) {
        if (count < 1) {
            throw new IllegalArgumentException("store lanes: " + count);
        }
        lanes = new StoreLane[count];
        sharedSync = new SharedSync(store);
        for (int i = 0; i < count; i++) {
            lanes[i] = new StoreLane(store, sharedSync, backlogBound, "volantmq-store-" + i);
        }
        AtomicInteger readerNumber = new AtomicInteger();
        readers = new ThreadPoolExecutor(count, count, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), work -> {
            Thread thread = new Thread(work, "volantmq-store-read-" + readerNumber.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Threads for the queue reads of deliveries (one read in flight per session): no event loop waits for one. */
    public Executor readers() {
        return readers;
    }

    /** The lane of {@code clientId}: always the same one. */
    public StoreLane lane(String clientId) {
        return lanes[Math.floorMod(clientId.hashCode(), lanes.length)];
    }

    /** Lanes waiting for a sync another lane runs (for tests). */
    int waitingForSync() {
        return sharedSync.waiting();
    }

    public int count() {
        return lanes.length;
    }

    /** Store syncs so far, over every lane (one shared sync counts once). */
    public long syncs() {
        return sharedSync.syncs();
    }

    /** Batches done so far: divided by {@link #syncs()}, how many one sync covered. */
    public long batches() {
        long sum = 0;
        for (StoreLane lane : lanes) {
            sum += lane.batches();
        }
        return sum;
    }

    /** Runs what each lane still holds (syncing it), then stops the lanes. */
    @Override
    public void close() {
        readers.shutdownNow(); // a read still running is dropped by its session: the broker is stopping
        for (StoreLane lane : lanes) {
            lane.close();
        }
    }
}
