package io.volantmq.persistence;

import java.util.List;
import java.util.Set;

/**
 * Per-session outbound queues with their inflight state, and the inbound QoS 2 packet ids awaiting
 * PUBREL. A message enqueued for many sessions is stored once; it is deleted when no queue
 * references it any more. Queue rules (bounds, drop policy, expiry) are the broker's, not the store's.
 */
public interface MessageStore {

    /**
     * Stores {@code message} once and appends an entry for it to the queue of every target, all or
     * nothing. Each entry gets the next sequence number of its queue and state {@code QUEUED}.
     */
    void enqueue(StoredMessage message, List<QueueTarget> targets);

    /**
     * As {@link #enqueue} for each append, in order. A backend that can should write them in one
     * write, all or nothing: the broker hands over the appends of a whole store lane round at once.
     */
    default void enqueueAll(List<QueueAppend> appends) {
        for (QueueAppend append : appends) {
            enqueue(append.message(), append.targets());
        }
    }

    /**
     * Up to {@code max} entries of the client's queue with {@code seq > afterSeq}, in seq order.
     * Sequence numbers are positive, so {@code afterSeq = 0} reads from the start.
     */
    List<QueuedMessage> read(String clientId, long afterSeq, int max);

    /** Records that entry {@code seq} now stands at {@code state} with {@code packetId}. No-op if absent. */
    void updateInflight(String clientId, long seq, int packetId, InflightState state);

    /** Removes entry {@code seq} (acknowledged, expired or dropped). No-op if absent. */
    void remove(String clientId, long seq);

    /**
     * Removes the first {@code count} entries of {@code seqs}, as {@link #remove} does each (absent
     * ones are skipped). A backend that can should do it in one write: the broker hands over the
     * acknowledgements of a whole read at once.
     */
    default void removeAll(String clientId, long[] seqs, int count) {
        for (int i = 0; i < count; i++) {
            remove(clientId, seqs[i]);
        }
    }

    /** Removes the client's whole queue and its inbound QoS 2 ids. */
    void clear(String clientId);

    QueueStats stats(String clientId);

    /** Remembers an inbound QoS 2 packet id whose PUBLISH was accepted and whose PUBREL has not come. */
    void addIncomingQos2(String clientId, int packetId);

    void removeIncomingQos2(String clientId, int packetId);

    Set<Integer> incomingQos2(String clientId);

    /**
     * Runs {@code action} once the writes this thread has made are visible to reads on other threads
     * (a subscriber woken to read its queue must find the entries). The default runs it at once: a
     * store whose writes are visible on return. A store that groups a unit's writes
     * ({@link Store#together}) runs it after the unit's writes are sent.
     */
    default void whenVisible(Runnable action) {
        action.run();
    }
}
