package io.volantmq.persistence.buffered;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.buffered.BufferedQueueView.ClientQueue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sequence numbers of a {@link BufferedStore}'s queue entries, and their translation to the backend's.
 * <p>
 * An enqueue returns before the backend has numbered its entries, so this store numbers them
 * itself, from one counter for every queue that starts at {@code currentTimeMillis << 20} (and
 * above every number handed out earlier in this JVM): far above any backend's numbers, which all
 * count up from 1, and above the numbers of an earlier run as long as the clock does not go back
 * by more than that run lasted. Once an entry is written, the backend's number of it is found by
 * reading the queue after the last number known (the flusher is the only writer, so what follows
 * is exactly what it appended), and kept in the queue's {@link BufferedSeqMap} until the entry is
 * removed: our number keeps working for reads, updates and removes. Entries that were in the
 * backend before this store was opened keep the backend's numbers, which are all below ours, so
 * a queue reads in order: the backend's older entries, then ours that are written, then ours that
 * wait. After a restart the backend's numbers show: still positive, increasing and never reused.
 */
final class BufferedSequences {
    private static final int SEQ_SHIFT = 20;
    /** The highest seq handed out by any instance in this JVM: a reopen within a millisecond still goes up. */
    private static final AtomicLong ISSUED = new AtomicLong();

    private final BufferedStore store;
    private final MessageStore backend;
    private final BufferedQueueView view;
    /** Our seqs are at or above it; the backend's are below. */
    private final long firstSeq;
    /** Guarded by the store's mutex. */
    private long nextSeq;

    BufferedSequences(BufferedStore store, MessageStore backend, BufferedQueueView view) {
        this.store = store;
        this.backend = backend;
        this.view = view;
        this.firstSeq = Math.max(System.currentTimeMillis() << SEQ_SHIFT, ISSUED.get() + 1);
        this.nextSeq = firstSeq;
    }

    /** The lowest of our seqs: below it a seq is the backend's own. */
    long firstSeq() {
        return firstSeq;
    }

    /** A new seq for an entry being enqueued. The caller holds the mutex. */
    long next() {
        return nextSeq++;
    }

    /** Records the seqs handed out so far, so a store opened next in this JVM starts above them. Caller holds the mutex. */
    void markIssued() {
        ISSUED.accumulateAndGet(nextSeq - 1, Math::max);
    }

    /** The backend's seq for one of ours (or the backend's own), or -1 when gone. Takes the mutex. */
    long backendSeq(String clientId, long seq) {
        if (seq < firstSeq) {
            return seq;
        }
        store.mutex.lock();
        try {
            ClientQueue queue = view.get(clientId);
            return queue == null ? -1 : queue.seqs.backendSeq(seq);
        } finally {
            store.mutex.unlock();
        }
    }

    /**
     * The highest seq in the client's backend queue (0 when empty). Known after the first enqueue
     * this store writes to the queue; before that, found by a binary search with reads of one
     * entry (read after x is empty exactly when x is at or above the highest). Flusher only.
     */
    long tailOf(String clientId) {
        store.mutex.lock();
        try {
            ClientQueue queue = view.get(clientId);
            if (queue != null && queue.tail >= 0) {
                return queue.tail;
            }
        } finally {
            store.mutex.unlock();
        }
        List<QueuedMessage> first = backend.read(clientId, 0, 1);
        if (first.isEmpty()) {
            return 0;
        }
        long low = first.get(0).seq() - 1;
        long high = firstSeq - 1;
        List<QueuedMessage> beyond = backend.read(clientId, high, 1);
        if (!beyond.isEmpty()) {
            throw collision(clientId, beyond.get(0).seq());
        }
        while (high - low > 1) {
            long middle = low + (high - low) / 2;
            if (backend.read(clientId, middle, 1).isEmpty()) {
                high = middle;
            } else {
                low = middle;
            }
        }
        return high;
    }

    /** The backend numbered an entry in our range: this store cannot tell its entries from the backend's. */
    PersistenceException collision(String clientId, long seq) {
        return new PersistenceException("store '" + store.name() + "': the backend numbered an entry of " + clientId + " "
                + seq + ", in the range the buffered store numbers its own entries from (" + firstSeq + ")");
    }
}
