package io.volantmq.persistence.buffered;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.buffered.BufferedQueueOps.ClearOp;
import io.volantmq.persistence.buffered.BufferedQueueOps.EnqueueOp;
import io.volantmq.persistence.buffered.BufferedQueueOps.Qos2Op;
import io.volantmq.persistence.buffered.BufferedQueueOps.UpdateOp;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the queues of a {@link BufferedStore} look like in memory on top of the backend: per client,
 * entries whose enqueue waits ({@code pending}), waiting updates and removals of entries the backend
 * has ({@code changes}), a waiting clear (which hides everything the backend has of the queue,
 * including inbound QoS 2 ids), waiting QoS 2 id changes, and counters that keep {@link
 * BufferedQueueStats} cheap. A client without waiting changes and without entries this store numbered
 * is forgotten. Guarded by the store's mutex; a queue's {@link BufferedSeqMap} is changed only by the
 * flusher.
 */
final class BufferedQueueView {
    private final Map<String, ClientQueue> clients = new HashMap<>();

    /** The client's queue, or null when this store has nothing of it. */
    ClientQueue get(String clientId) {
        return clients.get(clientId);
    }

    /** The client's queue, made when missing. */
    ClientQueue queue(String clientId) {
        return clients.computeIfAbsent(clientId, ClientQueue::new);
    }

    void forgetIfIdle(ClientQueue queue) {
        if (queue.pending.isEmpty() && queue.changes.isEmpty() && queue.clear == null && queue.qos2.isEmpty()
                && queue.seqs.isEmpty() && queue.limboCount == 0) {
            clients.remove(queue.clientId, queue);
        }
    }

    /** One client's waiting changes and what this store knows of its backend queue. */
    static final class ClientQueue {
        final String clientId;
        /** Entries whose enqueue waits, by our seq. */
        final TreeMap<Long, PendingEntry> pending = new TreeMap<>();
        /** Waiting updates and removals of entries in the backend (or being written to it), by our seq. */
        final TreeMap<Long, Change> changes = new TreeMap<>();
        /** Removals of entries from before this store was opened whose size is not known yet. */
        final Set<Change> unresolved = new LinkedHashSet<>();
        /** Waiting changes of inbound QoS 2 ids. */
        final Map<Integer, Qos2Op> qos2 = new HashMap<>();
        /** Our seqs of written entries; changed only by the flusher, so readers use it under the read lock. */
        final BufferedSeqMap seqs = new BufferedSeqMap();
        /** A waiting clear: it hides everything the backend has of this queue. */
        ClearOp clear;
        /** At or above every seq of the backend queue; -1 while unknown. */
        long tail = -1;
        /** Entries an enqueue has written but whose seqs are not known yet (it failed half-way): above limboAfter. */
        long limboAfter = -1;
        int limboCount;
        long limboBytes;
        long pendingCount;
        long pendingBytes;
        /** Entries the backend still counts although their removal waits. */
        long removedCount;
        long removedBytes;

        ClientQueue(String clientId) {
            this.clientId = clientId;
        }

        /** Counts a removal whose entry the backend still holds, so stats leave it out. */
        void count(Change removal) {
            removal.counted = true;
            removedCount++;
            removedBytes += removal.length;
        }
    }

    /** A target of an enqueue, with the seq it got. */
    static final class Slot {
        final QueueTarget target;
        final long seq;
        /** Removed or cleared before the enqueue was written. Guarded by the mutex. */
        boolean dropped;

        Slot(QueueTarget target, long seq) {
            this.target = target;
            this.seq = seq;
        }
    }

    /** An entry whose enqueue waits. Guarded by the mutex. */
    static final class PendingEntry {
        final StoredMessage message;
        final Slot slot;
        final EnqueueOp op;
        int packetId;
        InflightState state = InflightState.QUEUED;
        /** The waiting update that writes packetId and state after the enqueue, if any. */
        UpdateOp update;

        PendingEntry(StoredMessage message, Slot slot, EnqueueOp op) {
            this.message = message;
            this.slot = slot;
            this.op = op;
        }

        int length() {
            return message.payload().length;
        }

        QueuedMessage toQueued() {
            QueueTarget target = slot.target;
            return new QueuedMessage(slot.seq, message, target.qos(), target.retain(), target.subscriptionIds(), packetId, state);
        }
    }

    /** What a reader needs of a change. */
    record ChangeView(boolean removed, int packetId, InflightState state) {
    }

    /** A waiting update (op is an {@link UpdateOp}) or removal (a {@code RemoveOp}) of one entry. Guarded by the mutex. */
    static final class Change {
        final long seq;
        final BufferedOp op;
        final boolean removed;
        /** Removal: the payload length, -1 while unknown. */
        int length = -1;
        /** Removal: included in the queue's removedCount and removedBytes. */
        boolean counted;

        Change(long seq, BufferedOp op, boolean removed) {
            this.seq = seq;
            this.op = op;
            this.removed = removed;
        }

        ChangeView view() {
            if (removed) {
                return new ChangeView(true, 0, null);
            }
            UpdateOp update = (UpdateOp) op;
            return new ChangeView(false, update.packetId, update.inflight);
        }
    }
}
