package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.QueueEntry;
import io.volantmq.persistence.codec.RecordCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    static final String IDS = "ids";

    private final MapDbStore store;

    MapDbMessages(MapDbStore store) {
        this.store = store;
    }

    /** Hands out {@code count} consecutive positive ids; the caller holds the write lock. */
    static long nextIds(MapDbFiles files, int count) {
        long first = files.meta.getOrDefault(IDS, 0L) + 1;
        files.meta.put(IDS, first + count - 1);
        return first;
    }

    @Override
    public void enqueue(StoredMessage message, List<QueueTarget> targets) {
        Objects.requireNonNull(message, "message");
        if (!targets.isEmpty()) {
            append(List.of(new QueueAppend(message, targets)), "enqueueing " + message.topic() + " for "
                    + targets.size() + " sessions");
        }
    }

    /** Every append in one change under one lock, with one stats update per client. */
    @Override
    public void enqueueAll(List<QueueAppend> appends) {
        if (!appends.isEmpty()) {
            append(appends, "enqueueing " + appends.size() + " messages");
        }
    }

    private void append(List<QueueAppend> appends, String what) {
        // copied: the store may apply the change again after the call returned (see MapDbStore.uncommitted)
        byte[][] bodies = new byte[appends.size()][];
        List<List<QueueTarget>> targetLists = new ArrayList<>(appends.size());
        int[] payloadLengths = new int[appends.size()];
        for (int m = 0; m < appends.size(); m++) {
            bodies[m] = RecordCodec.message(appends.get(m).message());
            targetLists.add(List.copyOf(appends.get(m).targets()));
            payloadLengths[m] = appends.get(m).message().payload().length;
        }
        store.write(what, () -> {
            MapDbFiles files = store.files();
            Map<String, long[]> added = new LinkedHashMap<>();
            int ids = 0;
            for (List<QueueTarget> targets : targetLists) {
                ids += targets.size();
            }
            long nextId = ids == 0 ? 0 : nextIds(files, ids); // one change of the id counter for the whole write
            for (int m = 0; m < bodies.length; m++) {
                List<QueueTarget> targets = targetLists.get(m);
                if (targets.isEmpty()) {
                    continue;
                }
                int payloadLength = payloadLengths[m];
                long bodyId = nextId;
                nextId += targets.size();
                files.bodies.put(bodyId, bodies[m]);
                if (targets.size() > 1) {
                    files.refs.put(bodyId, targets.size()); // no count means one reference (most messages)
                }
                for (int i = 0; i < targets.size(); i++) {
                    QueueTarget target = targets.get(i);
                    files.queues.put(MapDbFiles.seqKey(target.clientId(), bodyId + i), RecordCodec.queueEntry(
                            new QueueEntry(bodyId, payloadLength, target.qos(), target.retain(),
                                    target.subscriptionIds(), 0, InflightState.QUEUED)));
                    long[] delta = added.computeIfAbsent(target.clientId(), k -> new long[2]);
                    delta[0]++;
                    delta[1] += payloadLength;
                }
            }
            added.forEach((clientId, delta) -> addStats(files, clientId, delta[0], delta[1]));
            return !added.isEmpty();
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
        Map<Long, StoredMessage> bodies = new HashMap<>();
        long last = after;
        int taken = 0;
        if (after == Long.MAX_VALUE) {
            return after;
        }
        String clientEnd = clientId + '\u0001';
        org.h2.mvstore.Cursor<String, byte[]> cursor = files.queues.cursor(MapDbFiles.seqKey(clientId, after + 1), null, false);
        while (cursor.hasNext()) {
            String key = cursor.next();
            if (taken >= max || key.compareTo(clientEnd) >= 0) {
                break;
            }
            long seq = MapDbFiles.seqOf(key);
            last = seq;
            QueueEntry entry = RecordCodec.queueEntry(cursor.getValue());
            StoredMessage message = bodies.computeIfAbsent(entry.bodyId(), id -> {
                byte[] value = files.bodies.get(id);
                return value == null ? null : RecordCodec.message(value);
            });
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
        String key = MapDbFiles.seqKey(clientId, seq);
        store.write("updating entry " + seq + " of " + clientId, () -> {
            byte[] entry = store.files().queues.get(key);
            if (entry == null) {
                return false;
            }
            store.files().queues.put(key, RecordCodec.queueEntry(RecordCodec.queueEntry(entry).withInflight(packetId, state)));
            return true;
        });
    }

    @Override
    public void remove(String clientId, long seq) {
        store.write("removing entry " + seq + " of " + clientId, () -> {
            MapDbFiles files = store.files();
            byte[] value = files.queues.remove(MapDbFiles.seqKey(clientId, seq));
            if (value == null) {
                return false;
            }
            QueueEntry entry = RecordCodec.queueEntry(value);
            addStats(files, clientId, -1, -entry.payloadLength());
            release(files, entry.bodyId(), 1);
            return true;
        });
    }

    /** As {@link #remove} for each, in one write: one commit for a whole read's acknowledgements. */
    @Override
    public void removeAll(String clientId, long[] seqs, int count) {
        if (count == 0) {
            return;
        }
        long[] removed = Arrays.copyOf(seqs, count); // the caller may reuse its array; the store may apply this again
        store.write("removing " + count + " entries of " + clientId, () -> {
            MapDbFiles files = store.files();
            int entries = 0;
            long bytes = 0;
            for (long seq : removed) {
                byte[] value = files.queues.remove(MapDbFiles.seqKey(clientId, seq));
                if (value != null) {
                    QueueEntry entry = RecordCodec.queueEntry(value);
                    entries++;
                    bytes += entry.payloadLength();
                    release(files, entry.bodyId(), 1);
                }
            }
            if (entries > 0) {
                addStats(files, clientId, -entries, -bytes); // one change of the client's counts for all
            }
            return entries > 0;
        });
    }

    @Override
    public void clear(String clientId) {
        store.write("clearing the queue of " + clientId, () -> {
            MapDbFiles files = store.files();
            List<String> queue = new ArrayList<>();
            Map<Long, Integer> references = new HashMap<>();
            for (Map.Entry<String, byte[]> e : MapDbFiles.range(files.queues, clientId)) {
                queue.add(e.getKey());
                references.merge(RecordCodec.queueEntry(e.getValue()).bodyId(), 1, Integer::sum);
            }
            List<String> qos2 = MapDbFiles.keysOf(files.qos2, clientId);
            if (queue.isEmpty() && qos2.isEmpty()) {
                return false;
            }
            queue.forEach(files.queues::remove);
            qos2.forEach(files.qos2::remove);
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
                () -> store.files().qos2.put(qos2Key(clientId, packetId), Boolean.TRUE) == null);
    }

    @Override
    public void removeIncomingQos2(String clientId, int packetId) {
        store.write("forgetting QoS 2 packet " + packetId + " of " + clientId,
                () -> store.files().qos2.remove(qos2Key(clientId, packetId)) != null);
    }

    @Override
    public Set<Integer> incomingQos2(String clientId) {
        return store.read("reading the QoS 2 packet ids of " + clientId, () -> {
            Set<Integer> ids = new TreeSet<>();
            for (String key : MapDbFiles.keysOf(store.files().qos2, clientId)) {
                ids.add(Integer.parseInt(MapDbFiles.restOf(key)));
            }
            return ids;
        });
    }

    /** The packet id in 5 digits, so a client's ids sort numerically. */
    static String qos2Key(String clientId, int packetId) {
        String digits = Integer.toString(packetId);
        return MapDbFiles.key(clientId, "0".repeat(Math.max(0, 5 - digits.length())) + digits);
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

    /**
     * Drops {@code count} references to a body, deleting it with the last. A body without a count has one
     * reference: a message for one queue writes no count, saving a map change when it is stored and one when
     * it goes.
     */
    private static void release(MapDbFiles files, long bodyId, int count) {
        Integer refs = files.refs.get(bodyId);
        int left = refs == null ? 0 : refs - count;
        if (left > 0) {
            files.refs.put(bodyId, left);
        } else {
            if (refs != null) {
                files.refs.remove(bodyId);
            }
            files.bodies.remove(bodyId);
        }
    }
}
