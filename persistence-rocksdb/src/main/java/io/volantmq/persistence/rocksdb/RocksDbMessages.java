package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.QueueEntry;
import io.volantmq.persistence.codec.RecordCodec;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client queues. Every entry of every queue has a store-wide unique, increasing seq (one id block per
 * write), and an enqueue writes all its entries and the targets' stats in one batch while holding the
 * targets' locks: a reader that continues after the last seq it saw never misses an entry.
 *
 * <p>Layout (queue family, key {@code [client][seq]}):
 * <ul>
 *   <li>a message for exactly one queue (fan-in, pairs: the common case) is stored <em>inline</em> in its
 *       entry ({@link Values#inlineEntry}): one put to append, no body get to read, one delete to remove;</li>
 *   <li>a message for several queues is stored once in the message family under id = its first seq, with
 *       a reference count in the refs family, and each entry names that body; the last removal deletes it.
 *       Stores written before inline entries hold only such entries and read and remove as before.</li>
 * </ul>
 * A queue's stats (entries, payload bytes) are a value per client, changed in the same batch; the current
 * value is kept in memory once a change under the client's lock has read or written it, so a change only
 * puts. Removals read their entries in one multi-get (the payload length and whether a body is shared are
 * in the entry).
 */
final class RocksDbMessages implements MessageStore {
    private static final Logger log = LoggerFactory.getLogger(RocksDbMessages.class);
    private static final byte[] EMPTY = new byte[0];

    private final RocksDbStore store;
    /** Stats as last written under the client's lock (only writers fill it); absent means: read them. */
    private final Map<String, QueueStats> knownStats = new ConcurrentHashMap<>();

    RocksDbMessages(RocksDbStore store) {
        this.store = store;
    }

    @Override
    public void enqueue(StoredMessage message, List<QueueTarget> targets) {
        Objects.requireNonNull(message, "message");
        if (!targets.isEmpty()) {
            append(List.of(new QueueAppend(message, targets)), "enqueueing " + message.topic() + " for "
                    + targets.size() + " sessions");
        }
    }

    /** Every append in one write batch: one id block, one lock round, one stats update per client. */
    @Override
    public void enqueueAll(List<QueueAppend> appends) {
        if (!appends.isEmpty()) {
            append(appends, "enqueueing " + appends.size() + " messages");
        }
    }

    private void append(List<QueueAppend> appends, String what) {
        int entries = 0;
        Set<String> clients = new HashSet<>();
        byte[][] bodies = new byte[appends.size()][];
        for (int m = 0; m < appends.size(); m++) {
            QueueAppend append = appends.get(m);
            bodies[m] = RecordCodec.message(append.message());
            entries += append.targets().size();
            for (QueueTarget target : append.targets()) {
                clients.add(target.clientId());
            }
        }
        if (entries == 0) {
            return;
        }
        int total = entries;
        store.run(what, () -> {
            try (Stripes.Held held = store.clientLocks().lockAll(clients);
                 WriteBatch batch = new WriteBatch()) {
                long bodyId = store.ids().next(total);
                Map<String, long[]> added = new LinkedHashMap<>();
                for (int m = 0; m < appends.size(); m++) {
                    List<QueueTarget> targets = appends.get(m).targets();
                    if (targets.isEmpty()) {
                        continue;
                    }
                    int payloadLength = appends.get(m).message().payload().length;
                    boolean shared = targets.size() > 1;
                    if (shared) {
                        batch.put(store.files().messages(), Keys.id(bodyId), bodies[m]);
                        batch.put(store.files().refs(), Keys.id(bodyId), Keys.id(targets.size()));
                    }
                    for (int i = 0; i < targets.size(); i++) {
                        QueueTarget target = targets.get(i);
                        QueueEntry entry = new QueueEntry(shared ? bodyId : Values.NO_BODY, payloadLength,
                                target.qos(), target.retain(), target.subscriptionIds(), 0, InflightState.QUEUED);
                        batch.put(store.files().queues(), Keys.entry(target.clientId(), bodyId + i),
                                shared ? RecordCodec.queueEntry(entry) : Values.inlineEntry(entry, bodies[m]));
                        long[] delta = added.computeIfAbsent(target.clientId(), k -> new long[2]);
                        delta[0]++;
                        delta[1] += payloadLength;
                    }
                    bodyId += targets.size(); // the next message's id: seqs stay unique and increasing
                }
                Map<String, QueueStats> changed = new HashMap<>();
                for (Map.Entry<String, long[]> e : added.entrySet()) {
                    changed.put(e.getKey(), addStats(batch, e.getKey(), e.getValue()[0], e.getValue()[1]));
                }
                store.write(batch);
                knownStats.putAll(changed);
            }
        });
    }

    @Override
    public List<QueuedMessage> read(String clientId, long afterSeq, int max) {
        List<QueuedMessage> result = new ArrayList<>();
        long after = Math.max(afterSeq, 0);
        while (result.size() < max && after < Long.MAX_VALUE) {
            List<Long> dangling = new ArrayList<>();
            long last = scan(clientId, after, max - result.size(), result, dangling);
            if (dangling.isEmpty()) {
                break;
            }
            // only damage the store survived leaves an entry without its body: drop it, say so, read on
            for (long seq : dangling) {
                log.warn("rocksdb store: queue entry {} of {} references a message body that is gone; dropping it", seq, clientId);
                remove(clientId, seq);
            }
            after = last;
        }
        return result;
    }

    /** Reads entries after {@code after} from one snapshot; returns the last seq it looked at. */
    private long scan(String clientId, long after, int max, List<QueuedMessage> out, List<Long> dangling) {
        byte[] prefix = Keys.client(clientId);
        return store.call("reading the queue of " + clientId, () -> {
            Snapshot snapshot = store.db().getSnapshot();
            long last = after;
            try (Slice upper = new Slice(Keys.prefixEnd(prefix));
                 ReadOptions options = new ReadOptions().setIterateUpperBound(upper).setSnapshot(snapshot);
                 RocksIterator it = store.db().newIterator(store.files().queues(), options)) {
                Map<Long, StoredMessage> bodies = new HashMap<>();
                int taken = 0;
                for (it.seek(Keys.entry(clientId, after + 1)); it.isValid() && taken < max; it.next()) {
                    long seq = Keys.seqOfEntry(it.key());
                    last = seq;
                    byte[] value = it.value();
                    QueueEntry entry = Values.entry(value);
                    StoredMessage message = entry.bodyId() == Values.NO_BODY ? Values.inlineMessage(value)
                            : bodies.get(entry.bodyId());
                    if (message == null) {
                        byte[] body = store.db().get(store.files().messages(), options, Keys.id(entry.bodyId()));
                        if (body == null) {
                            dangling.add(seq);
                            continue;
                        }
                        message = Values.message(body);
                        bodies.put(entry.bodyId(), message);
                    }
                    out.add(new QueuedMessage(seq, message, entry.qos(), entry.retain(), entry.subscriptionIds(),
                            entry.packetId(), entry.state()));
                    taken++;
                }
                it.status();
            } finally {
                store.db().releaseSnapshot(snapshot);
            }
            return last;
        });
    }

    @Override
    public void updateInflight(String clientId, long seq, int packetId, InflightState state) {
        Objects.requireNonNull(state, "state");
        byte[] key = Keys.entry(clientId, seq);
        store.run("updating entry " + seq + " of " + clientId, () -> {
            try (Stripes.Held held = store.clientLocks().lock(clientId)) {
                byte[] value = store.db().get(store.files().queues(), key);
                if (value != null) {
                    QueueEntry entry = Values.entry(value).withInflight(packetId, state);
                    store.db().put(store.files().queues(), store.writeOptions(), key,
                            Values.inline(value) ? Values.withEntry(value, entry) : RecordCodec.queueEntry(entry));
                }
            }
        });
    }

    @Override
    public void remove(String clientId, long seq) {
        removeAll(clientId, new long[] {seq}, 1);
    }

    /**
     * As {@link #remove} for each, in one write batch: one lock, one multi-get of the entries, one stats
     * change, one write. Inline entries need nothing more; shared bodies have their counts read in one more
     * multi-get.
     */
    @Override
    public void removeAll(String clientId, long[] seqs, int count) {
        if (count == 0) {
            return;
        }
        long[] freed = store.call("removing " + count + " entries of " + clientId, () -> {
            try (Stripes.Held held = store.clientLocks().lock(clientId)) {
                Set<Long> distinct = new TreeSet<>();
                for (int i = 0; i < count; i++) {
                    distinct.add(seqs[i]);
                }
                List<byte[]> keys = new ArrayList<>(distinct.size());
                for (long seq : distinct) {
                    keys.add(Keys.entry(clientId, seq));
                }
                List<byte[]> values = store.db().multiGetAsList(
                        Collections.nCopies(keys.size(), store.files().queues()), keys);
                Map<Long, Integer> references = new HashMap<>();
                Map<Long, Integer> lengths = new HashMap<>();
                long entries = 0;
                long payloadBytes = 0;
                long inlineBytes = 0;
                try (WriteBatch batch = new WriteBatch()) {
                    for (int i = 0; i < keys.size(); i++) {
                        byte[] value = values.get(i);
                        if (value == null) {
                            continue;
                        }
                        QueueEntry entry = Values.entry(value);
                        batch.delete(store.files().queues(), keys.get(i));
                        entries++;
                        payloadBytes += entry.payloadLength();
                        if (entry.bodyId() == Values.NO_BODY) {
                            inlineBytes += entry.payloadLength();
                        } else {
                            references.merge(entry.bodyId(), 1, Integer::sum);
                            lengths.put(entry.bodyId(), entry.payloadLength());
                        }
                    }
                    if (entries == 0) {
                        return new long[] {0, 0};
                    }
                    QueueStats after = addStats(batch, clientId, -entries, -payloadBytes);
                    long freedBytes = inlineBytes;
                    if (references.isEmpty()) {
                        store.write(batch);
                    } else {
                        try (Stripes.Held bodies = store.bodyLocks().lockAll(references.keySet())) {
                            freedBytes += releaseAll(batch, references, lengths);
                            store.write(batch);
                        }
                    }
                    knownStats.put(clientId, after);
                    return new long[] {entries, freedBytes};
                }
            }
        });
        if (freed[0] > 0) {
            store.removed(freed[0], freed[1]);
        }
    }

    /**
     * Drops each body's references (callers hold their locks), deleting a body with its last; returns the
     * payload bytes freed. The counts are read in one multi-get.
     */
    private long releaseAll(WriteBatch batch, Map<Long, Integer> references, Map<Long, Integer> lengths)
            throws RocksDBException {
        List<Long> ids = new ArrayList<>(references.keySet());
        List<byte[]> keys = new ArrayList<>(ids.size());
        for (long id : ids) {
            keys.add(Keys.id(id));
        }
        List<byte[]> counts = store.db().multiGetAsList(
                Collections.nCopies(keys.size(), store.files().refs()), keys);
        long freedBytes = 0;
        for (int i = 0; i < ids.size(); i++) {
            byte[] refs = counts.get(i);
            long left = refs == null ? 0 : Keys.id(refs) - references.get(ids.get(i));
            if (left > 0) {
                batch.put(store.files().refs(), keys.get(i), Keys.id(left));
            } else {
                batch.delete(store.files().refs(), keys.get(i));
                batch.delete(store.files().messages(), keys.get(i));
                freedBytes += lengths.get(ids.get(i));
            }
        }
        return freedBytes;
    }

    @Override
    public void clear(String clientId) {
        byte[] prefix = Keys.client(clientId);
        long[] cleared = store.call("clearing the queue of " + clientId, () -> {
            try (Stripes.Held held = store.clientLocks().lock(clientId)) {
                Map<Long, Integer> references = new HashMap<>();
                Map<Long, Integer> lengths = new HashMap<>();
                long entries = 0;
                long inlineBytes = 0;
                try (Slice upper = new Slice(Keys.prefixEnd(prefix));
                     ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
                     RocksIterator it = store.db().newIterator(store.files().queues(), options)) {
                    for (it.seek(prefix); it.isValid(); it.next()) {
                        QueueEntry entry = Values.entry(it.value());
                        if (entry.bodyId() == Values.NO_BODY) {
                            inlineBytes += entry.payloadLength();
                        } else {
                            references.merge(entry.bodyId(), 1, Integer::sum);
                            lengths.put(entry.bodyId(), entry.payloadLength());
                        }
                        entries++;
                    }
                    it.status();
                }
                Set<Integer> qos2 = incomingQos2(clientId);
                if (entries == 0 && qos2.isEmpty()) {
                    return new long[] {0, 0};
                }
                long freedBytes;
                try (Stripes.Held bodies = store.bodyLocks().lockAll(references.keySet());
                     WriteBatch batch = new WriteBatch()) {
                    if (entries > 0) {
                        // one range tombstone instead of one per entry
                        batch.deleteRange(store.files().queues(), prefix, Keys.prefixEnd(prefix));
                        batch.delete(store.files().stats(), Keys.utf8(clientId));
                    }
                    for (int packetId : qos2) {
                        batch.delete(store.files().qos2(), Keys.qos2(clientId, packetId));
                    }
                    freedBytes = inlineBytes + (references.isEmpty() ? 0 : releaseAll(batch, references, lengths));
                    store.write(batch);
                }
                knownStats.remove(clientId);
                return new long[] {entries, freedBytes};
            }
        });
        if (cleared[0] > 0) {
            store.removed(cleared[0], cleared[1]);
        }
    }

    @Override
    public QueueStats stats(String clientId) {
        QueueStats known = knownStats.get(clientId);
        return known != null ? known : stats(store.call("reading the queue stats of " + clientId,
                () -> store.db().get(store.files().stats(), Keys.utf8(clientId))));
    }

    @Override
    public void addIncomingQos2(String clientId, int packetId) {
        store.run("remembering QoS 2 packet " + packetId + " of " + clientId, () -> {
            try (Stripes.Held held = store.clientLocks().lock(clientId)) {
                store.db().put(store.files().qos2(), store.writeOptions(), Keys.qos2(clientId, packetId), EMPTY);
            }
        });
    }

    @Override
    public void removeIncomingQos2(String clientId, int packetId) {
        store.run("forgetting QoS 2 packet " + packetId + " of " + clientId, () -> {
            try (Stripes.Held held = store.clientLocks().lock(clientId)) {
                store.db().delete(store.files().qos2(), store.writeOptions(), Keys.qos2(clientId, packetId));
            }
        });
    }

    @Override
    public Set<Integer> incomingQos2(String clientId) {
        byte[] prefix = Keys.client(clientId);
        return store.call("reading the QoS 2 packet ids of " + clientId, () -> {
            Set<Integer> ids = new TreeSet<>();
            try (Slice upper = new Slice(Keys.prefixEnd(prefix));
                 ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
                 RocksIterator it = store.db().newIterator(store.files().qos2(), options)) {
                for (it.seek(prefix); it.isValid(); it.next()) {
                    ids.add(Keys.packetIdOf(it.key()));
                }
                it.status();
            }
            return ids;
        });
    }

    /**
     * Adds the change of one client's stats to the batch and returns the new stats; the caller holds the
     * client's lock and records them in {@link #knownStats} once the batch is written.
     */
    private QueueStats addStats(WriteBatch batch, String clientId, long messages, long bytes) throws RocksDBException {
        byte[] key = Keys.utf8(clientId);
        QueueStats current = knownStats.get(clientId);
        if (current == null) {
            current = stats(store.db().get(store.files().stats(), key));
        }
        long newMessages = current.messages() + messages;
        if (newMessages <= 0) {
            batch.delete(store.files().stats(), key);
            return QueueStats.EMPTY;
        }
        QueueStats changed = new QueueStats(newMessages, Math.max(0, current.payloadBytes() + bytes));
        batch.put(store.files().stats(), key, stats(changed.messages(), changed.payloadBytes()));
        return changed;
    }

    /** Forgets the stats held in memory: after an I/O error the files opened again may lack writes that returned. */
    void forgetStats() {
        knownStats.clear();
    }

    /** A client's queue stats: {@code [messages][payload bytes]}, two big-endian longs. */
    private static byte[] stats(long messages, long bytes) {
        return ByteBuffer.allocate(16).putLong(messages).putLong(bytes).array();
    }

    private static QueueStats stats(byte[] value) {
        if (value == null) {
            return QueueStats.EMPTY;
        }
        ByteBuffer buf = ByteBuffer.wrap(value);
        return new QueueStats(buf.getLong(), buf.getLong());
    }
}
