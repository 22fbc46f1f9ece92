package io.volantmq.broker.store;

import io.volantmq.persistence.Store;

/**
 * One {@link Store#sync()} at a time for all store lanes, shared: a lane that asks while another
 * lane's sync runs waits for the next sync to start after its call, and every lane waiting then is
 * served by that one sync. A store's sync covers every change made before it by any thread, and a
 * backend whose syncs queue behind each other (RocksDB's WAL sync) would otherwise pay one disk sync
 * per lane per round.
 */
final class SharedSync {
    private final Store store;
    /** Syncs started so far: a sync numbered above the count at a caller's call started after it. */
    private long started;
    private long finished;
    private long lastFailed;
    private boolean running;
    private int waiting;

    SharedSync(Store store) {
        this.store = store;
    }

    /**
     * Returns once a sync that started after this call has finished (this thread's, or another
     * lane's); true when it succeeded. A {@link RuntimeException} of the store's sync is rethrown
     * to the lane that ran it; the lanes that shared it get false.
     */
    boolean sync() {
        long ticket;
        synchronized (this) {
            long needed = started + 1;
            waiting++;
            try {
                while (running && finished < needed) { // a sync that began before this call covers nothing of it
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                waiting--;
            }
            if (finished >= needed) {
                return lastFailed < needed; // a failed sync from ours on: not durable, to be safe
            }
            running = true;
            ticket = ++started;
        }
        boolean ok = false;
        try {
            store.sync();
            ok = true;
            return true;
        } finally {
            synchronized (this) {
                running = false;
                finished = ticket;
                if (!ok) {
                    lastFailed = ticket;
                }
                notifyAll();
            }
        }
    }

    /** Syncs started so far. */
    synchronized long syncs() {
        return started;
    }

    /** Lanes waiting for a sync to finish (for tests). */
    synchronized int waiting() {
        return waiting;
    }
}
