package io.volantmq.persistence.buffered;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.buffered.BufferedQueueView.Change;
import io.volantmq.persistence.buffered.BufferedQueueView.ClientQueue;
import io.volantmq.persistence.buffered.BufferedQueueView.PendingEntry;
import io.volantmq.persistence.buffered.BufferedQueueView.Slot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The queue changes a {@link BufferedStore} journals and its flusher writes: each op writes one
 * change to the backend ({@code apply}) and then takes it out of the {@link BufferedQueueView}
 * ({@code retire}). An enqueue also learns the backend's seqs of what it wrote, for {@link
 * BufferedSequences}.
 */
final class BufferedQueueOps {
    private final BufferedStore store;
    private final MessageStore backend;
    private final BufferedQueueView view;
    private final BufferedSequences sequences;

    BufferedQueueOps(BufferedStore store, MessageStore backend, BufferedQueueView view, BufferedSequences sequences) {
        this.store = store;
        this.backend = backend;
        this.view = view;
        this.sequences = sequences;
    }

    EnqueueOp enqueue(StoredMessage message) {
        return new EnqueueOp(message);
    }

    UpdateOp update(String clientId, long seq, int packetId, InflightState state) {
        return new UpdateOp(clientId, seq, packetId, state);
    }

    RemoveOp remove(String clientId, long seq) {
        return new RemoveOp(clientId, seq);
    }

    ClearOp clear(String clientId) {
        return new ClearOp(clientId);
    }

    Qos2Op qos2(String clientId, int packetId, boolean present) {
        return new Qos2Op(clientId, packetId, present);
    }

    final class EnqueueOp extends BufferedOp {
        /** Null once cancelled or written (the entries hold their own reference). */
        StoredMessage message;
        final List<Slot> slots = new ArrayList<>();
        /** Slots not dropped. Guarded by the mutex. */
        int live;
        // progress, kept across failed attempts (flusher only)
        private List<Slot> sending;
        private Map<String, Integer> perClient;
        private Map<String, Long> tails;
        private boolean appended;
        private Map<String, long[]> written;

        EnqueueOp(StoredMessage message) {
            this.message = message;
        }

        @Override
        void apply() {
            if (sending == null) {
                sending = new ArrayList<>();
                perClient = new LinkedHashMap<>();
                for (Slot slot : slots) {
                    if (!slot.dropped) {
                        sending.add(slot);
                        perClient.merge(slot.target.clientId(), 1, Integer::sum);
                    }
                }
            }
            int length = message.payload().length;
            if (!appended) {
                tails = new HashMap<>();
                for (String clientId : perClient.keySet()) {
                    tails.put(clientId, sequences.tailOf(clientId));
                }
                backend.enqueue(message, sending.stream().map(slot -> slot.target).toList());
                appended = true;
                store.mutex.lock();
                try {
                    perClient.forEach((clientId, count) -> {
                        ClientQueue queue = view.queue(clientId);
                        queue.limboAfter = tails.get(clientId);
                        queue.limboCount += count;
                        queue.limboBytes += (long) count * length;
                    });
                } finally {
                    store.mutex.unlock();
                }
            }
            Map<String, long[]> found = new HashMap<>();
            for (Map.Entry<String, Integer> e : perClient.entrySet()) {
                String clientId = e.getKey();
                List<QueuedMessage> appendedEntries = backend.read(clientId, tails.get(clientId), e.getValue());
                if (appendedEntries.size() != e.getValue()) {
                    throw new PersistenceException("store '" + store.name() + "': after enqueueing " + message.topic() + " for "
                            + clientId + " the queue shows " + appendedEntries.size() + " new entries instead of " + e.getValue());
                }
                long[] seqs = new long[appendedEntries.size()];
                for (int i = 0; i < seqs.length; i++) {
                    seqs[i] = appendedEntries.get(i).seq();
                    if (seqs[i] >= sequences.firstSeq()) {
                        throw sequences.collision(clientId, seqs[i]);
                    }
                }
                found.put(clientId, seqs);
            }
            written = found;
        }

        @Override
        void retire() {
            int length = message.payload().length;
            Map<String, Integer> next = new HashMap<>();
            for (Slot slot : sending) {
                String clientId = slot.target.clientId();
                ClientQueue queue = view.queue(clientId);
                long backendSeq = written.get(clientId)[next.merge(clientId, 1, Integer::sum) - 1];
                queue.seqs.add(slot.seq, backendSeq, length);
                queue.tail = Math.max(queue.tail, backendSeq);
                PendingEntry entry = queue.pending.get(slot.seq);
                if (entry != null && entry.slot == slot) {
                    queue.pending.remove(slot.seq);
                    queue.pendingCount--;
                    queue.pendingBytes -= length;
                    if (entry.update != null && entry.update.live()) {
                        queue.changes.put(slot.seq, new Change(slot.seq, entry.update, false));
                    }
                } else {
                    Change change = queue.changes.get(slot.seq);
                    if (change != null && change.removed && !change.counted) {
                        queue.count(change); // removed while being written: the backend counts it until the removal
                    }
                }
            }
            perClient.forEach((clientId, count) -> {
                ClientQueue queue = view.queue(clientId);
                queue.limboAfter = -1;
                queue.limboCount -= count;
                queue.limboBytes -= (long) count * length;
                view.forgetIfIdle(queue);
            });
            message = null;
        }

        @Override
        String describe() {
            StoredMessage m = message;
            return "enqueue " + (m == null ? "" : m.topic() + " ") + "for " + slots.size() + " sessions";
        }
    }

    final class UpdateOp extends BufferedOp {
        private final String clientId;
        private final long seq;
        /** Changed in place while pending; guarded by the mutex. */
        int packetId;
        InflightState inflight;

        UpdateOp(String clientId, long seq, int packetId, InflightState inflight) {
            this.clientId = clientId;
            this.seq = seq;
            this.packetId = packetId;
            this.inflight = inflight;
        }

        void set(int packetId, InflightState inflight) {
            this.packetId = packetId;
            this.inflight = inflight;
        }

        @Override
        void apply() {
            long backendSeq = sequences.backendSeq(clientId, seq);
            if (backendSeq > 0) {
                backend.updateInflight(clientId, backendSeq, packetId, inflight);
            }
        }

        @Override
        void retire() {
            ClientQueue queue = view.get(clientId);
            if (queue != null) {
                Change change = queue.changes.get(seq);
                if (change != null && change.op == this) {
                    queue.changes.remove(seq);
                }
                view.forgetIfIdle(queue);
            }
        }

        @Override
        String describe() {
            return "update entry " + seq + " of " + clientId;
        }
    }

    final class RemoveOp extends BufferedOp {
        private final String clientId;
        private final long seq;

        RemoveOp(String clientId, long seq) {
            this.clientId = clientId;
            this.seq = seq;
        }

        @Override
        void apply() {
            long backendSeq = sequences.backendSeq(clientId, seq);
            if (backendSeq > 0) {
                backend.remove(clientId, backendSeq);
            }
        }

        @Override
        void retire() {
            ClientQueue queue = view.get(clientId);
            if (queue == null) {
                return;
            }
            Change change = queue.changes.get(seq);
            if (change != null && change.op == this) {
                queue.changes.remove(seq);
                queue.unresolved.remove(change);
                if (change.counted) {
                    queue.removedCount--;
                    queue.removedBytes -= change.length;
                }
            }
            if (seq >= sequences.firstSeq()) {
                queue.seqs.remove(seq);
            }
            view.forgetIfIdle(queue);
        }

        @Override
        String describe() {
            return "remove entry " + seq + " of " + clientId;
        }
    }

    final class ClearOp extends BufferedOp {
        private final String clientId;

        ClearOp(String clientId) {
            this.clientId = clientId;
        }

        @Override
        void apply() {
            backend.clear(clientId);
        }

        @Override
        void retire() {
            ClientQueue queue = view.queue(clientId);
            if (queue.clear == this) {
                queue.clear = null;
            }
            queue.seqs.clear(); // every entry written before the clear is gone
            view.forgetIfIdle(queue);
        }

        @Override
        String describe() {
            return "clear the queue of " + clientId;
        }
    }

    final class Qos2Op extends BufferedOp {
        private final String clientId;
        private final int packetId;
        /** Add (true) or remove; changed in place while pending. Guarded by the mutex. */
        boolean present;

        Qos2Op(String clientId, int packetId, boolean present) {
            this.clientId = clientId;
            this.packetId = packetId;
            this.present = present;
        }

        @Override
        void apply() {
            if (present) {
                backend.addIncomingQos2(clientId, packetId);
            } else {
                backend.removeIncomingQos2(clientId, packetId);
            }
        }

        @Override
        void retire() {
            ClientQueue queue = view.get(clientId);
            if (queue != null) {
                if (queue.qos2.get(packetId) == this) {
                    queue.qos2.remove(packetId);
                }
                view.forgetIfIdle(queue);
            }
        }

        @Override
        String describe() {
            return (present ? "remember" : "forget") + " QoS 2 packet " + packetId + " of " + clientId;
        }
    }
}
