package io.volantmq.broker.store;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Group commit over a store whose changes become durable on {@link Store#sync()}: a caller makes
 * its changes, then asks to be told once they are durable. One thread syncs for everybody who
 * asked while the previous sync ran, so a busy broker pays one disk sync for many messages and
 * no event loop ever waits for the disk.
 */
public final class GroupCommit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    /** Told on the sync thread whether the changes made before {@link #afterSync} are durable; must not block. */
    @FunctionalInterface
    public interface Waiter {
        void synced(boolean durable);
    }

    private static final Waiter STOP = durable -> { };

    private final Store store;
    private final LinkedBlockingQueue<Waiter> waiting = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final LongAdder syncs = new LongAdder();
    private final LongAdder waiters = new LongAdder();
    private volatile boolean closed;

    public GroupCommit(Store store, String name) {
        this.store = store;
        this.thread = new Thread(this::run, "volantmq-sync-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Calls {@code waiter} once every change this thread made before this call is durable, or
     * could not be made so. After {@link #close()}, at once with {@code false}.
     */
    public void afterSync(Waiter waiter) {
        if (closed) {
            waiter.synced(false);
            return;
        }
        waiting.add(waiter);
    }

    /** Disk syncs so far. */
    public long syncs() {
        return syncs.sum();
    }

    /** Waiters served so far: divided by {@link #syncs()}, how many requests one sync covered. */
    public long waiters() {
        return waiters.sum();
    }

    private void run() {
        List<Waiter> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(waiting.take());
            } catch (InterruptedException e) {
                continue; // only close() stops this thread, with STOP
            }
            waiting.drainTo(batch);
            boolean stop = batch.remove(STOP);
            if (stop && batch.isEmpty()) {
                return;
            }
            // a waiter taken here asked after its changes were made, so this sync covers them
            boolean durable = sync(batch.size());
            syncs.increment();
            waiters.add(batch.size());
            for (Waiter waiter : batch) {
                try {
                    waiter.synced(durable);
                } catch (RejectedExecutionException e) {
                    log.debug("a group commit waiter's event loop has shut down", e); // the broker is stopping
                } catch (Throwable e) { // an Error too: this thread dying would leave every later ack waiting
                    log.error("a group commit waiter failed", e);
                }
            }
            batch.clear();
            if (stop) {
                return;
            }
        }
    }

    private boolean sync(int waiters) {
        try {
            store.sync();
            return true;
        } catch (PersistenceException e) {
            log.error("store sync failed, refusing what {} waiters would acknowledge: {}", waiters, e.getMessage());
            return false;
        } catch (Throwable e) { // an Error too: this thread must outlive any backend failure
            log.error("store sync failed", e);
            return false;
        }
    }

    /** Syncs once more for whoever is still waiting, then stops the thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        waiting.add(STOP);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
