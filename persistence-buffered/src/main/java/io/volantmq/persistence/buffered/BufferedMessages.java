package io.volantmq.persistence.buffered;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The queues of a {@link BufferedStore}.
 *
 * <h2>Sequence numbers</h2>
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
 *
 * <h2>The view</h2>
 * Per client: entries whose enqueue waits ({@code pending}), waiting updates and removals of
 * entries the backend has ({@code changes}), a waiting clear (which hides everything the backend
 * has of the queue, including inbound QoS 2 ids), waiting QoS 2 id changes, and counters that
 * keep {@link #stats} cheap. A clear drops the client's waiting changes; removing an entry whose
 * enqueue waits drops it from that enqueue, and an enqueue left with no queue is not written.
 */
final class BufferedMessages implements MessageStore {
    private static final long SMALL = 96;
    private static final int SEQ_SHIFT = 20;
    /** The highest seq handed out by any instance in this JVM: a reopen within a millisecond still goes up. */
    private static final AtomicLong ISSUED = new AtomicLong();

    private final BufferedStore store;
    private final MessageStore backend;
    /** Our seqs are at or above it; the backend's are below. */
    private final long firstSeq;
    /** Guarded by the store's mutex. */
    private long nextSeq;
    /** Guarded by the store's mutex; a queue's {@link BufferedSeqMap} is changed only by the flusher. */
    private final Map<String, ClientQueue> clients = new HashMap<>();

    BufferedMessages(BufferedStore store, MessageStore backend) {
        this.store = store;
        this.backend = backend;
        this.firstSeq = Math.max(System.currentTimeMillis() << SEQ_SHIFT, ISSUED.get() + 1);
        this.nextSeq = firstSeq;
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
            EnqueueOp op = new EnqueueOp(message);
            for (QueueTarget target : targets) {
                Slot slot = new Slot(target, nextSeq++);
                op.slots.add(slot);
                ClientQueue queue = queue(target.clientId());
                queue.pending.put(slot.seq, new PendingEntry(message, slot, op));
                queue.pendingCount++;
                queue.pendingBytes += length;
            }
            op.live = op.slots.size();
            ISSUED.accumulateAndGet(nextSeq - 1, Math::max);
            store.append(op, weight);
        } finally {
            store.unlock();
        }
    }

    @Override
    public List<QueuedMessage> read(String clientId, long afterSeq, int max) {
        if (max <= 0) {
            return List.of();
        }
        return store.read(() -> {
            ReadView view = readView(clientId, afterSeq, max);
            if (view == null) {
                return backend.read(clientId, afterSeq, max);
            }
            List<QueuedMessage> result = new ArrayList<>(Math.min(max, 64));
            if (!view.cleared()) {
                readWritten(clientId, afterSeq, max, view, result);
            }
            for (QueuedMessage entry : view.waiting()) {
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
            ClientQueue queue = clients.get(clientId);
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
    private void readWritten(String clientId, long afterSeq, int max, ReadView view, List<QueuedMessage> result) {
        BufferedSeqMap seqs = view.seqs();
        Map<Long, ChangeView> changed = view.changed();
        long limboAfter = view.limboAfter();
        long from;
        if (afterSeq < firstSeq) {
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
                } else if (seq >= firstSeq) {
                    throw collision(clientId, seq);
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

    @Override
    public void updateInflight(String clientId, long seq, int packetId, InflightState state) {
        Objects.requireNonNull(state, "state");
        if (seq <= 0) {
            return;
        }
        store.lockForWrite(SMALL);
        try {
            ClientQueue queue = clients.get(clientId);
            if (queue == null) {
                if (seq >= firstSeq) {
                    return; // ours, and gone
                }
                queue = queue(clientId);
            }
            PendingEntry entry = queue.pending.get(seq);
            if (entry != null) {
                entry.packetId = packetId;
                entry.state = state;
                if (entry.update != null && entry.update.pending()) {
                    entry.update.set(packetId, state);
                    store.coalesced(entry.update, SMALL);
                } else {
                    entry.update = new UpdateOp(clientId, seq, packetId, state);
                    store.append(entry.update, SMALL);
                }
                return;
            }
            if (queue.clear != null || (seq >= firstSeq && queue.seqs.backendSeq(seq) < 0)) {
                forgetIfIdle(queue);
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
            UpdateOp op = new UpdateOp(clientId, seq, packetId, state);
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
            ClientQueue queue = clients.get(clientId);
            if (queue == null) {
                if (seq >= firstSeq) {
                    return;
                }
                queue = queue(clientId);
            }
            PendingEntry entry = queue.pending.remove(seq);
            if (entry != null) {
                queue.pendingCount--;
                queue.pendingBytes -= entry.length();
                if (entry.op.pending()) {
                    drop(entry); // never written
                    store.undid();
                    forgetIfIdle(queue);
                    return;
                }
                // its enqueue is being written: remove it right after; counted once it is written
                if (entry.update != null && entry.update.pending()) {
                    store.cancel(entry.update);
                }
                RemoveOp op = new RemoveOp(clientId, seq);
                Change removal = new Change(seq, op, true);
                removal.length = entry.length();
                queue.changes.put(seq, removal);
                store.append(op, SMALL);
                return;
            }
            int length = -1;
            if (queue.clear != null || (seq >= firstSeq && (length = queue.seqs.payloadLength(seq)) < 0)) {
                forgetIfIdle(queue);
                return; // cleared, or ours and gone
            }
            Change change = queue.changes.get(seq);
            if (change != null && change.removed) {
                return;
            }
            if (change != null && change.op.pending()) {
                store.cancel(change.op); // its update need not be written
            }
            RemoveOp op = new RemoveOp(clientId, seq);
            Change removal = new Change(seq, op, true);
            removal.length = length;
            if (length >= 0) {
                count(queue, removal);
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
            ClientQueue queue = queue(clientId);
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
            queue.clear = new ClearOp(clientId);
            store.append(queue.clear, SMALL);
        } finally {
            store.unlock();
        }
    }

    @Override
    public QueueStats stats(String clientId) {
        return store.read(() -> {
            ClientQueue queue;
            List<Change> unresolved;
            store.mutex.lock();
            try {
                queue = clients.get(clientId);
                unresolved = queue == null ? List.of() : new ArrayList<>(queue.unresolved);
            } finally {
                store.mutex.unlock();
            }
            if (queue == null) {
                return backend.stats(clientId);
            }
            for (Change removal : unresolved) {
                List<QueuedMessage> found = backend.read(clientId, removal.seq - 1, 1);
                int length = !found.isEmpty() && found.get(0).seq() == removal.seq ? found.get(0).message().payload().length : -1;
                store.mutex.lock();
                try {
                    if (queue.unresolved.remove(removal) && length >= 0) {
                        removal.length = length;
                        count(queue, removal);
                    }
                } finally {
                    store.mutex.unlock();
                }
            }
            boolean cleared;
            long pendingCount;
            long pendingBytes;
            long hiddenCount;
            long hiddenBytes;
            store.mutex.lock();
            try {
                cleared = queue.clear != null;
                pendingCount = queue.pendingCount;
                pendingBytes = queue.pendingBytes;
                hiddenCount = queue.removedCount + queue.limboCount;
                hiddenBytes = queue.removedBytes + queue.limboBytes;
            } finally {
                store.mutex.unlock();
            }
            if (cleared) {
                return new QueueStats(pendingCount, pendingBytes);
            }
            QueueStats written = backend.stats(clientId);
            return new QueueStats(Math.max(0, written.messages() - hiddenCount) + pendingCount,
                    Math.max(0, written.payloadBytes() - hiddenBytes) + pendingBytes);
        });
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
            ClientQueue queue = queue(clientId);
            Qos2Op op = queue.qos2.get(packetId);
            if (op != null && op.pending()) {
                op.present = present;
                store.coalesced(op, SMALL);
                return;
            }
            op = new Qos2Op(clientId, packetId, present);
            queue.qos2.put(packetId, op);
            store.append(op, SMALL);
        } finally {
            store.unlock();
        }
    }

    @Override
    public Set<Integer> incomingQos2(String clientId) {
        return store.read(() -> {
            boolean known;
            boolean cleared = false;
            Map<Integer, Boolean> changed = new HashMap<>();
            store.mutex.lock();
            try {
                ClientQueue queue = clients.get(clientId);
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

    // ---- helpers (the caller holds the mutex unless said otherwise) ---------------------------

    private ClientQueue queue(String clientId) {
        return clients.computeIfAbsent(clientId, ClientQueue::new);
    }

    private void forgetIfIdle(ClientQueue queue) {
        if (queue.pending.isEmpty() && queue.changes.isEmpty() && queue.clear == null && queue.qos2.isEmpty()
                && queue.seqs.isEmpty() && queue.limboCount == 0) {
            clients.remove(queue.clientId, queue);
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

    private static void count(ClientQueue queue, Change removal) {
        removal.counted = true;
        queue.removedCount++;
        queue.removedBytes += removal.length;
    }

    /** The backend's seq for one of ours (or the backend's own), or -1 when gone. Takes the mutex. */
    private long backendSeq(String clientId, long seq) {
        if (seq < firstSeq) {
            return seq;
        }
        store.mutex.lock();
        try {
            ClientQueue queue = clients.get(clientId);
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
    private long tailOf(String clientId) {
        store.mutex.lock();
        try {
            ClientQueue queue = clients.get(clientId);
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

    private PersistenceException collision(String clientId, long seq) {
        return new PersistenceException("store '" + store.name() + "': the backend numbered an entry of " + clientId + " "
                + seq + ", in the range the buffered store numbers its own entries from (" + firstSeq + ")");
    }

    // ---- the view ------------------------------------------------------------------------------

    /** One client's waiting changes and what this store knows of its backend queue. */
    private static final class ClientQueue {
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
    }

    /** A target of an enqueue, with the seq it got. */
    private static final class Slot {
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
    private static final class PendingEntry {
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
    private record ChangeView(boolean removed, int packetId, InflightState state) {
    }

    /** A waiting update (op is an {@link UpdateOp}) or removal (a {@link RemoveOp}) of one entry. Guarded by the mutex. */
    private static final class Change {
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

    // ---- the ops -------------------------------------------------------------------------------

    private final class EnqueueOp extends BufferedOp {
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
                    tails.put(clientId, tailOf(clientId));
                }
                backend.enqueue(message, sending.stream().map(slot -> slot.target).toList());
                appended = true;
                store.mutex.lock();
                try {
                    perClient.forEach((clientId, count) -> {
                        ClientQueue queue = queue(clientId);
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
                    if (seqs[i] >= firstSeq) {
                        throw collision(clientId, seqs[i]);
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
                ClientQueue queue = queue(clientId);
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
                        count(queue, change); // removed while being written: the backend counts it until the removal
                    }
                }
            }
            perClient.forEach((clientId, count) -> {
                ClientQueue queue = queue(clientId);
                queue.limboAfter = -1;
                queue.limboCount -= count;
                queue.limboBytes -= (long) count * length;
                forgetIfIdle(queue);
            });
            message = null;
        }

        @Override
        String describe() {
            StoredMessage m = message;
            return "enqueue " + (m == null ? "" : m.topic() + " ") + "for " + slots.size() + " sessions";
        }
    }

    private final class UpdateOp extends BufferedOp {
        private final String clientId;
        private final long seq;
        /** Changed in place while pending; guarded by the mutex. */
        private int packetId;
        private InflightState inflight;

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
            long backendSeq = backendSeq(clientId, seq);
            if (backendSeq > 0) {
                backend.updateInflight(clientId, backendSeq, packetId, inflight);
            }
        }

        @Override
        void retire() {
            ClientQueue queue = clients.get(clientId);
            if (queue != null) {
                Change change = queue.changes.get(seq);
                if (change != null && change.op == this) {
                    queue.changes.remove(seq);
                }
                forgetIfIdle(queue);
            }
        }

        @Override
        String describe() {
            return "update entry " + seq + " of " + clientId;
        }
    }

    private final class RemoveOp extends BufferedOp {
        private final String clientId;
        private final long seq;

        RemoveOp(String clientId, long seq) {
            this.clientId = clientId;
            this.seq = seq;
        }

        @Override
        void apply() {
            long backendSeq = backendSeq(clientId, seq);
            if (backendSeq > 0) {
                backend.remove(clientId, backendSeq);
            }
        }

        @Override
        void retire() {
            ClientQueue queue = clients.get(clientId);
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
            if (seq >= firstSeq) {
                queue.seqs.remove(seq);
            }
            forgetIfIdle(queue);
        }

        @Override
        String describe() {
            return "remove entry " + seq + " of " + clientId;
        }
    }

    private final class ClearOp extends BufferedOp {
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
            ClientQueue queue = queue(clientId);
            if (queue.clear == this) {
                queue.clear = null;
            }
            queue.seqs.clear(); // every entry written before the clear is gone
            forgetIfIdle(queue);
        }

        @Override
        String describe() {
            return "clear the queue of " + clientId;
        }
    }

    private final class Qos2Op extends BufferedOp {
        private final String clientId;
        private final int packetId;
        /** Add (true) or remove; changed in place while pending. Guarded by the mutex. */
        private boolean present;

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
            ClientQueue queue = clients.get(clientId);
            if (queue != null) {
                if (queue.qos2.get(packetId) == this) {
                    queue.qos2.remove(packetId);
                }
                forgetIfIdle(queue);
            }
        }

        @Override
        String describe() {
            return (present ? "remember" : "forget") + " QoS 2 packet " + packetId + " of " + clientId;
        }
    }
}
