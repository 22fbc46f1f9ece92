package io.volantmq.persistence.buffered;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.buffered.BufferedQueueOps.EnqueueOp;
import io.volantmq.persistence.buffered.BufferedQueueOps.Qos2Op;
import io.volantmq.persistence.buffered.BufferedQueueOps.RemoveOp;
import io.volantmq.persistence.buffered.BufferedQueueOps.UpdateOp;
import io.volantmq.persistence.buffered.BufferedQueueView.Change;
import io.volantmq.persistence.buffered.BufferedQueueView.ClientQueue;
import io.volantmq.persistence.buffered.BufferedQueueView.PendingEntry;
import io.volantmq.persistence.buffered.BufferedQueueView.Slot;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The queues of a {@link BufferedStore}. A change is acknowledged once it is in the {@link
 * BufferedQueueView} and its op ({@link BufferedQueueOps}) is in the journal; the flusher writes it
 * later. This class is the write side: it records changes, coalescing them where a later one supersedes
 * a waiting one. A clear drops the client's waiting changes; removing an entry whose enqueue waits drops
 * it from that enqueue, and an enqueue left with no queue is not written. Reads go through {@link
 * BufferedQueueReader}, sizes through {@link BufferedQueueStats}; the sequence numbers this store hands
 * out, and their translation to the backend's, are {@link BufferedSequences}.
 */
final class BufferedMessages implements MessageStore {
    private static final long SMALL = 96;

    private final BufferedStore store;
    private final BufferedQueueView view = new BufferedQueueView();
    private final BufferedSequences sequences;
    private final BufferedQueueOps ops;
    private final BufferedQueueReader reader;
    private final BufferedQueueStats stats;

    BufferedMessages(BufferedStore store, MessageStore backend) {
        this.store = store;
        this.sequences = new BufferedSequences(store, backend, view);
        this.ops = new BufferedQueueOps(store, backend, view, sequences);
        this.reader = new BufferedQueueReader(store, backend, view, sequences);
        this.stats = new BufferedQueueStats(store, backend, view);
    }

    /** Bytes a message holds on the heap, roughly. */
    static long weight(StoredMessage message) {
        return 64 + message.payload().length + message.properties().length + 2L * message.topic().length();
    }

    @Override
    public void enqueue(StoredMessage message, List<QueueTarget> targets) {
        Objects.requireNonNull(message, "message");
        if (targets.isEmpty()) {
            return;
        }
        long weight = weight(message) + 64L * targets.size();
        int length = message.payload().length;
        store.lockForWrite(weight);
        try {
            EnqueueOp op = ops.enqueue(message);
            for (QueueTarget target : targets) {
                Slot slot = new Slot(target, sequences.next());
                op.slots.add(slot);
                ClientQueue queue = view.queue(target.clientId());
                queue.pending.put(slot.seq, new PendingEntry(message, slot, op));
                queue.pendingCount++;
                queue.pendingBytes += length;
            }
            op.live = op.slots.size();
            sequences.markIssued();
            store.append(op, weight);
        } finally {
            store.unlock();
        }
    }

    @Override
    public void updateInflight(String clientId, long seq, int packetId, InflightState state) {
        Objects.requireNonNull(state, "state");
        if (seq <= 0) {
            return;
        }
        store.lockForWrite(SMALL);
        try {
            ClientQueue queue = view.get(clientId);
            if (queue == null) {
                if (seq >= sequences.firstSeq()) {
                    return; // ours, and gone
                }
                queue = view.queue(clientId);
            }
            PendingEntry entry = queue.pending.get(seq);
            if (entry != null) {
                entry.packetId = packetId;
                entry.state = state;
                if (entry.update != null && entry.update.pending()) {
                    entry.update.set(packetId, state);
                    store.coalesced(entry.update, SMALL);
                } else {
                    entry.update = ops.update(clientId, seq, packetId, state);
                    store.append(entry.update, SMALL);
                }
                return;
            }
            if (queue.clear != null || (seq >= sequences.firstSeq() && queue.seqs.backendSeq(seq) < 0)) {
                view.forgetIfIdle(queue);
                return; // cleared, or ours and gone
            }
            Change change = queue.changes.get(seq);
            if (change != null && change.removed) {
                return;
            }
            if (change != null && change.op.pending()) {
                ((UpdateOp) change.op).set(packetId, state);
                store.coalesced(change.op, SMALL);
                return;
            }
            UpdateOp op = ops.update(clientId, seq, packetId, state);
            queue.changes.put(seq, new Change(seq, op, false));
            store.append(op, SMALL);
        } finally {
            store.unlock();
        }
    }

    @Override
    public void remove(String clientId, long seq) {
        if (seq <= 0) {
            return;
        }
        store.lockForWrite(SMALL);
        try {
            ClientQueue queue = view.get(clientId);
            if (queue == null) {
                if (seq >= sequences.firstSeq()) {
                    return;
                }
                queue = view.queue(clientId);
            }
            PendingEntry entry = queue.pending.remove(seq);
            if (entry != null) {
                queue.pendingCount--;
                queue.pendingBytes -= entry.length();
                if (entry.op.pending()) {
                    drop(entry); // never written
                    store.undid();
                    view.forgetIfIdle(queue);
                    return;
                }
                // its enqueue is being written: remove it right after; counted once it is written
                if (entry.update != null && entry.update.pending()) {
                    store.cancel(entry.update);
                }
                RemoveOp op = ops.remove(clientId, seq);
                Change removal = new Change(seq, op, true);
                removal.length = entry.length();
                queue.changes.put(seq, removal);
                store.append(op, SMALL);
                return;
            }
            int length = -1;
            if (queue.clear != null || (seq >= sequences.firstSeq() && (length = queue.seqs.payloadLength(seq)) < 0)) {
                view.forgetIfIdle(queue);
                return; // cleared, or ours and gone
            }
            Change change = queue.changes.get(seq);
            if (change != null && change.removed) {
                return;
            }
            if (change != null && change.op.pending()) {
                store.cancel(change.op); // its update need not be written
            }
            RemoveOp op = ops.remove(clientId, seq);
            Change removal = new Change(seq, op, true);
            removal.length = length;
            if (length >= 0) {
                queue.count(removal);
            } else {
                queue.unresolved.add(removal); // an entry from before this store was opened, if it exists: stats asks
            }
            queue.changes.put(seq, removal);
            store.append(op, SMALL);
        } finally {
            store.unlock();
        }
    }

    @Override
    public void clear(String clientId) {
        store.lockForWrite(SMALL);
        try {
            ClientQueue queue = view.queue(clientId);
            for (PendingEntry entry : queue.pending.values()) {
                if (entry.op.pending()) {
                    drop(entry);
                } else if (entry.update != null && entry.update.pending()) {
                    store.cancel(entry.update); // the enqueue is being written; the clear removes the entry after it
                }
            }
            queue.pending.clear();
            queue.pendingCount = 0;
            queue.pendingBytes = 0;
            for (Change change : queue.changes.values()) {
                if (change.op.pending()) {
                    store.cancel(change.op);
                }
            }
            queue.changes.clear();
            queue.unresolved.clear();
            queue.removedCount = 0;
            queue.removedBytes = 0;
            for (Qos2Op op : queue.qos2.values()) {
                if (op.pending()) {
                    store.cancel(op);
                }
            }
            queue.qos2.clear();
            if (queue.clear != null && queue.clear.pending()) {
                return; // everything after the waiting clear was waiting too, and is dropped: that clear does it all
            }
            queue.clear = ops.clear(clientId);
            store.append(queue.clear, SMALL);
        } finally {
            store.unlock();
        }
    }

    @Override
    public void addIncomingQos2(String clientId, int packetId) {
        setQos2(clientId, packetId, true);
    }

    @Override
    public void removeIncomingQos2(String clientId, int packetId) {
        setQos2(clientId, packetId, false);
    }

    private void setQos2(String clientId, int packetId, boolean present) {
        store.lockForWrite(SMALL);
        try {
            ClientQueue queue = view.queue(clientId);
            Qos2Op op = queue.qos2.get(packetId);
            if (op != null && op.pending()) {
                op.present = present;
                store.coalesced(op, SMALL);
                return;
            }
            op = ops.qos2(clientId, packetId, present);
            queue.qos2.put(packetId, op);
            store.append(op, SMALL);
        } finally {
            store.unlock();
        }
    }

    /** Takes an entry whose enqueue still waits out of that enqueue; the entry is already out of its queue. */
    private void drop(PendingEntry entry) {
        entry.slot.dropped = true;
        if (entry.update != null && entry.update.pending()) {
            store.cancel(entry.update);
        }
        if (--entry.op.live == 0) {
            store.cancel(entry.op);
            entry.op.message = null;
        }
    }


    @Override
    public List<QueuedMessage> read(String clientId, long afterSeq, int max) {
        return reader.read(clientId, afterSeq, max);
    }

    @Override
    public Set<Integer> incomingQos2(String clientId) {
        return reader.incomingQos2(clientId);
    }

    @Override
    public QueueStats stats(String clientId) {
        return stats.stats(clientId);
    }
}
