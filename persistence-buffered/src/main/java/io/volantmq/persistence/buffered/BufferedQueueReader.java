package io.volantmq.persistence.buffered;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.buffered.BufferedQueueView.ChangeView;
import io.volantmq.persistence.buffered.BufferedQueueView.ClientQueue;
import io.volantmq.persistence.buffered.BufferedQueueView.PendingEntry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The read side of a {@link BufferedStore}'s queues: what the backend has, in this store's numbering
 * ({@link BufferedSequences}), with the waiting changes of the {@link BufferedQueueView} laid over it,
 * so a reader sees every acknowledged change whether it is written yet or not.
 */
final class BufferedQueueReader {
    private final BufferedStore store;
    private final MessageStore backend;
    private final BufferedQueueView view;
    private final BufferedSequences sequences;

    BufferedQueueReader(BufferedStore store, MessageStore backend, BufferedQueueView view, BufferedSequences sequences) {
        this.store = store;
        this.backend = backend;
        this.view = view;
        this.sequences = sequences;
    }

    /** The client's entries after {@code afterSeq}, at most {@code max}: the backend's with the waiting changes laid over. */
    List<QueuedMessage> read(String clientId, long afterSeq, int max) {
        if (max <= 0) {
            return List.of();
        }
        return store.read(() -> {
            ReadView overlay = readView(clientId, afterSeq, max);
            if (overlay == null) {
                return backend.read(clientId, afterSeq, max);
            }
            List<QueuedMessage> result = new ArrayList<>(Math.min(max, 64));
            if (!overlay.cleared()) {
                readWritten(clientId, afterSeq, max, overlay, result);
            }
            for (QueuedMessage entry : overlay.waiting()) {
                if (result.size() == max) {
                    break;
                }
                result.add(entry);
            }
            return result;
        });
    }

    /** What a read needs of the client's view, or null when there is none. */
    private record ReadView(BufferedSeqMap seqs, boolean cleared, List<QueuedMessage> waiting,
                            Map<Long, ChangeView> changed, long limboAfter) {
    }

    private ReadView readView(String clientId, long afterSeq, int max) {
        store.mutex.lock();
        try {
            ClientQueue queue = view.get(clientId);
            if (queue == null) {
                return null;
            }
            List<QueuedMessage> waiting = new ArrayList<>();
            for (PendingEntry entry : queue.pending.tailMap(afterSeq, false).values()) {
                if (waiting.size() == max) {
                    break;
                }
                waiting.add(entry.toQueued());
            }
            Map<Long, ChangeView> changed = new HashMap<>();
            boolean cleared = queue.clear != null;
            if (!cleared) {
                queue.changes.tailMap(afterSeq, false).forEach((seq, change) -> changed.put(seq, change.view()));
            }
            return new ReadView(queue.seqs, cleared, waiting, changed, queue.limboCount > 0 ? queue.limboAfter : -1);
        } finally {
            store.mutex.unlock();
        }
    }

    /** Reads the backend's entries after {@code afterSeq} in our numbering, with the waiting changes applied. */
    private void readWritten(String clientId, long afterSeq, int max, ReadView overlay, List<QueuedMessage> result) {
        BufferedSeqMap seqs = overlay.seqs();
        Map<Long, ChangeView> changed = overlay.changed();
        long limboAfter = overlay.limboAfter();
        long from;
        if (afterSeq < sequences.firstSeq()) {
            from = Math.max(afterSeq, 0);
            long first = seqs.firstBackendSeq();
            if (first > 0 && first - 1 < from) {
                from = first - 1; // ours are all after afterSeq, whatever the backend numbered them
            }
        } else {
            from = seqs.readAfter(afterSeq);
            if (from < 0) {
                return; // the backend's own entries are all below afterSeq, and none of ours is above it
            }
        }
        int hidden = (int) changed.values().stream().filter(ChangeView::removed).count();
        while (true) {
            int want = (int) Math.min(Integer.MAX_VALUE, (long) max - result.size() + Math.min(hidden, 1024));
            List<QueuedMessage> page = backend.read(clientId, from, want);
            for (QueuedMessage entry : page) {
                from = entry.seq();
                if (limboAfter >= 0 && entry.seq() > limboAfter) {
                    return; // written by an enqueue whose entries still show as waiting
                }
                long seq = entry.seq();
                long ours = seqs.ourSeq(seq);
                if (ours > 0) {
                    seq = ours;
                } else if (seq >= sequences.firstSeq()) {
                    throw sequences.collision(clientId, seq);
                }
                if (seq <= afterSeq) {
                    continue;
                }
                ChangeView change = changed.get(seq);
                if (change != null && change.removed()) {
                    continue;
                }
                if (change == null && seq == entry.seq()) {
                    result.add(entry);
                } else {
                    result.add(new QueuedMessage(seq, entry.message(), entry.qos(), entry.retain(), entry.subscriptionIds(),
                            change == null ? entry.packetId() : change.packetId(), change == null ? entry.state() : change.state()));
                }
                if (result.size() == max) {
                    return;
                }
            }
            if (page.size() < want) {
                return;
            }
        }
    }

    /** The client's inbound QoS 2 ids: the backend's with the waiting changes laid over. */
    Set<Integer> incomingQos2(String clientId) {
        return store.read(() -> {
            boolean known;
            boolean cleared = false;
            Map<Integer, Boolean> changed = new HashMap<>();
            store.mutex.lock();
            try {
                ClientQueue queue = view.get(clientId);
                known = queue != null;
                if (known) {
                    cleared = queue.clear != null;
                    queue.qos2.forEach((packetId, op) -> changed.put(packetId, op.present));
                }
            } finally {
                store.mutex.unlock();
            }
            if (!known) {
                return backend.incomingQos2(clientId);
            }
            Set<Integer> ids = new HashSet<>(cleared ? Set.of() : backend.incomingQos2(clientId));
            changed.forEach((packetId, present) -> {
                if (present) {
                    ids.add(packetId);
                } else {
                    ids.remove(packetId);
                }
            });
            return Set.copyOf(ids);
        });
    }
}
