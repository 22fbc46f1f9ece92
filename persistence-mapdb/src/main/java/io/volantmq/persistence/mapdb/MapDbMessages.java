package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.QueueEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Per-client queues over shared message bodies. An enqueue stores the body once under a fresh id
 * with its reference count and appends one entry per target with seq = id + index: one counter
 * for every queue, so seqs only grow, also across a clear or a restart.
 */
final class MapDbMessages implements MessageStore {
    private static final Logger log = LoggerFactory.getLogger(MapDbMessages.class);

    private final MapDbStore store;

    MapDbMessages(MapDbStore store) {
        this.store = store;
    }

    /** Hands out {@code count} consecutive positive ids; the caller holds the write lock. */
    static long nextIds(MapDbFiles files, int count) {
        long first = files.ids.get() + 1;
        files.ids.set(first + count - 1);
        return first;
    }

    @Override
    public void enqueue(StoredMessage message, List<QueueTarget> targets) {
        Objects.requireNonNull(message, "message");
        if (targets.isEmpty()) {
            return;
        }
        int payloadLength = message.payload().length;
        store.write("enqueueing " + message.topic() + " for " + targets.size() + " sessions", () -> {
            MapDbFiles files = store.files();
            long bodyId = nextIds(files, targets.size());
            files.bodies.put(bodyId, message);
            files.refs.put(bodyId, targets.size());
            for (int i = 0; i < targets.size(); i++) {
                QueueTarget target = targets.get(i);
                files.queues.put(new Object[] {target.clientId(), bodyId + i}, new QueueEntry(bodyId, payloadLength,
                        target.qos(), target.retain(), target.subscriptionIds(), 0, InflightState.QUEUED));
                addStats(files, target.clientId(), 1, payloadLength);
            }
            return true;
        });
    }

    @Override
    public List<QueuedMessage> read(String clientId, long afterSeq, int max) {
        List<QueuedMessage> result = new ArrayList<>();
        List<Long> dangling = new ArrayList<>();
        long after = Math.max(afterSeq, 0);
        while (result.size() < max) {
            long from = after;
            int wanted = max - result.size();
            after = store.read("reading the queue of " + clientId, () -> scan(clientId, from, wanted, result, dangling));
            if (dangling.isEmpty()) {
                break;
            }
            // only a damaged file leaves an entry without its body: drop it, say so, read on
            for (long seq : dangling) {
                log.warn("mapdb: queue entry {} of {} references a message body that is gone; dropping it", seq, clientId);
                remove(clientId, seq);
            }
            dangling.clear();
        }
        return result;
    }

    /** Adds up to {@code max} entries after {@code after}; returns the last seq looked at. */
    private long scan(String clientId, long after, int max, List<QueuedMessage> out, List<Long> dangling) {
        MapDbFiles files = store.files();
        NavigableMap<Object[], QueueEntry> queue =
                files.queues.prefixSubMap(new Object[] {clientId}).tailMap(new Object[] {clientId, after}, false);
        Map<Long, StoredMessage> bodies = new HashMap<>();
        long last = after;
        int taken = 0;
        for (Map.Entry<Object[], QueueEntry> e : queue.entrySet()) {
            if (taken >= max) {
                break;
            }
            long seq = (Long) e.getKey()[1];
            last = seq;
            QueueEntry entry = e.getValue();
            StoredMessage message = bodies.computeIfAbsent(entry.bodyId(), files.bodies::get);
            if (message == null) {
                dangling.add(seq);
                continue;
            }
            out.add(new QueuedMessage(seq, message, entry.qos(), entry.retain(), entry.subscriptionIds(), entry.packetId(),
                    entry.state()));
            taken++;
        }
        return last;
    }

    @Override
    public void updateInflight(String clientId, long seq, int packetId, InflightState state) {
        Objects.requireNonNull(state, "state");
        Object[] key = {clientId, seq};
        store.write("updating entry " + seq + " of " + clientId, () -> {
            QueueEntry entry = store.files().queues.get(key);
            if (entry == null) {
                return false;
            }
            store.files().queues.put(key, entry.withInflight(packetId, state));
            return true;
        });
    }

    @Override
    public void remove(String clientId, long seq) {
        store.write("removing entry " + seq + " of " + clientId, () -> {
            MapDbFiles files = store.files();
            QueueEntry entry = files.queues.remove(new Object[] {clientId, seq});
            if (entry == null) {
                return false;
            }
            addStats(files, clientId, -1, -entry.payloadLength());
            release(files, entry.bodyId(), 1);
            return true;
        });
    }

    @Override
    public void clear(String clientId) {
        store.write("clearing the queue of " + clientId, () -> {
            MapDbFiles files = store.files();
            Map<Object[], QueueEntry> queue = files.queues.prefixSubMap(new Object[] {clientId});
            Map<Long, Integer> references = new HashMap<>();
            for (QueueEntry entry : queue.values()) {
                references.merge(entry.bodyId(), 1, Integer::sum);
            }
            Set<Object[]> qos2 = qos2Of(files, clientId);
            if (references.isEmpty() && qos2.isEmpty()) {
                return false;
            }
            queue.clear();
            qos2.clear();
            files.stats.remove(clientId);
            references.forEach((bodyId, count) -> release(files, bodyId, count));
            return true;
        });
    }

    @Override
    public QueueStats stats(String clientId) {
        return store.read("reading the queue stats of " + clientId, () -> {
            long[] stats = store.files().stats.get(clientId);
            return stats == null ? QueueStats.EMPTY : new QueueStats(stats[0], stats[1]);
        });
    }

    @Override
    public void addIncomingQos2(String clientId, int packetId) {
        store.write("remembering QoS 2 packet " + packetId + " of " + clientId,
                () -> store.files().qos2.add(new Object[] {clientId, packetId}));
    }

    @Override
    public void removeIncomingQos2(String clientId, int packetId) {
        store.write("forgetting QoS 2 packet " + packetId + " of " + clientId,
                () -> store.files().qos2.remove(new Object[] {clientId, packetId}));
    }

    @Override
    public Set<Integer> incomingQos2(String clientId) {
        return store.read("reading the QoS 2 packet ids of " + clientId, () -> {
            Set<Integer> ids = new TreeSet<>();
            for (Object[] key : qos2Of(store.files(), clientId)) {
                ids.add((Integer) key[1]);
            }
            return ids;
        });
    }

    private static Set<Object[]> qos2Of(MapDbFiles files, String clientId) {
        return files.qos2.subSet(new Object[] {clientId, Integer.MIN_VALUE}, true, new Object[] {clientId, Integer.MAX_VALUE}, true);
    }

    private static void addStats(MapDbFiles files, String clientId, long messages, long bytes) {
        long[] current = files.stats.get(clientId);
        long newMessages = (current == null ? 0 : current[0]) + messages;
        long newBytes = (current == null ? 0 : current[1]) + bytes;
        if (newMessages <= 0) {
            files.stats.remove(clientId);
        } else {
            files.stats.put(clientId, new long[] {newMessages, Math.max(0, newBytes)});
        }
    }

    /** Drops {@code count} references to a body, deleting it with the last. */
    private static void release(MapDbFiles files, long bodyId, int count) {
        Integer refs = files.refs.get(bodyId);
        int left = refs == null ? 0 : refs - count;
        if (left > 0) {
            files.refs.put(bodyId, left);
        } else {
            files.refs.remove(bodyId);
            files.bodies.remove(bodyId);
        }
    }
}
