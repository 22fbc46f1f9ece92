package io.volantmq.persistence.redis;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.CorruptRecordException;
import io.volantmq.persistence.codec.RecordCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Queues as a sorted set of seqs plus a hash of entries per client. A message for one queue is stored
 * inline in that hash, beside its entry; a message for several is one hash with a reference count,
 * deleted by the script that drops its last reference (see {@link RedisScripts}). Seq comes from one
 * store-wide counter that is never reset, so it never goes back, also across restarts (as far as
 * the server's persistence keeps the counter).
 */
final class RedisMessageStore implements MessageStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisMessageStore.class);

    /** Messages per {@link RedisScripts#ENQUEUE_ALL} call: bounds one script's run time and argument count. */
    private static final int APPENDS_PER_CALL = 256;

    private final RedisStore store;
    private final RedisKeys keys;

    RedisMessageStore(RedisStore store, RedisKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    /** One script: the message and every entry are written together or not at all. Never retried. */
    @Override
    public void enqueue(StoredMessage message, List<QueueTarget> targets) {
        if (targets.isEmpty()) {
            return;
        }
        enqueueChunk("enqueue " + message.topic() + " for " + targets.size() + " sessions",
                List.of(new QueueAppend(message, targets)));
    }

    /**
     * One script call for up to {@value #APPENDS_PER_CALL} messages (a store lane round's appends), all in the
     * caller's unit or flush: written together or not at all, as {@link #enqueue}. Never retried.
     */
    @Override
    public void enqueueAll(List<QueueAppend> appends) {
        List<QueueAppend> chunk = new ArrayList<>(Math.min(appends.size(), APPENDS_PER_CALL));
        for (QueueAppend append : appends) {
            if (append.targets().isEmpty()) {
                continue;
            }
            chunk.add(append);
            if (chunk.size() == APPENDS_PER_CALL) {
                enqueueChunk("enqueue " + chunk.size() + " messages", chunk);
                chunk = new ArrayList<>(APPENDS_PER_CALL);
            }
        }
        if (!chunk.isEmpty()) {
            enqueueChunk("enqueue " + chunk.size() + " messages", chunk);
        }
    }

    private void enqueueChunk(String what, List<QueueAppend> chunk) {
        List<byte[]> scriptKeys = new ArrayList<>(2 + 3 * chunk.size());
        List<byte[]> args = new ArrayList<>(1 + 4 * chunk.size());
        scriptKeys.add(keys.seq());
        scriptKeys.add(keys.messageIds());
        args.add(keys.prefix());
        for (QueueAppend append : chunk) {
            StoredMessage message = append.message();
            args.add(RecordCodec.message(message));
            args.add(RedisValues.utf8(Integer.toString(message.payload().length)));
            args.add(RedisValues.utf8(Integer.toString(append.targets().size())));
            for (QueueTarget target : append.targets()) {
                scriptKeys.add(keys.queue(target.clientId()));
                scriptKeys.add(keys.entries(target.clientId()));
                scriptKeys.add(keys.queueBytes(target.clientId()));
                args.add(RedisValues.utf8(entryTail(target)));
            }
        }
        // a retry after a lost reply could enqueue twice, so a connection failure is the caller's to handle
        store.write(what, false, pipeline -> RedisScripts.ENQUEUE_ALL.pipelined(pipeline, scriptKeys, args),
                jedis -> RedisScripts.ENQUEUE_ALL.run(jedis, scriptKeys, args));
        store.enqueued();
    }

    @Override
    public void whenVisible(Runnable action) {
        store.whenVisible(action);
    }

    @Override
    public List<QueuedMessage> read(String clientId, long afterSeq, int max) {
        if (max <= 0) {
            return List.of();
        }
        store.flushForRead(afterSeq == 0); // sees what its subscriber was woken for, and from the start every write
        Object reply = store.call("read queue " + clientId, true, jedis -> RedisScripts.READ.run(jedis,
                List.of(keys.queue(clientId), keys.entries(clientId)),
                List.of(keys.prefix(), RedisValues.utf8(Long.toString(afterSeq)), RedisValues.utf8(Integer.toString(max)))));
        List<?> flat = (List<?>) reply;
        List<QueuedMessage> result = new ArrayList<>(flat.size() / 3);
        for (int i = 0; i + 2 < flat.size(); i += 3) {
            long seq = Long.parseLong(RedisValues.text((byte[]) flat.get(i)));
            String[] entry = RedisValues.text((byte[]) flat.get(i + 1)).split("\\|", -1);
            StoredMessage message;
            try {
                message = RedisValues.decodeMessage((byte[]) flat.get(i + 2));
            } catch (CorruptRecordException e) {
                // skipped, not thrown: one bad value must not block the whole queue
                LOG.error("redis {}: queued message {} of '{}' is unreadable ({}); skipping it", store.where(), seq,
                        clientId, e.getMessage());
                continue;
            }
            result.add(new QueuedMessage(seq, message, Integer.parseInt(entry[1]), "1".equals(entry[2]),
                    decodeIds(entry[5]), Integer.parseInt(entry[3]), InflightState.valueOf(entry[4])));
        }
        return result;
    }

    @Override
    public void updateInflight(String clientId, long seq, int packetId, InflightState state) {
        script("update inflight " + clientId + " " + seq, RedisScripts.UPDATE_INFLIGHT,
                List.of(keys.entries(clientId)),
                List.of(RedisValues.utf8(Long.toString(seq)), RedisValues.utf8(Integer.toString(packetId)),
                        RedisValues.utf8(state.name())));
    }

    @Override
    public void remove(String clientId, long seq) {
        script("remove " + clientId + " " + seq, RedisScripts.REMOVE_ALL,
                List.of(keys.queue(clientId), keys.entries(clientId), keys.queueBytes(clientId)),
                List.of(keys.prefix(), RedisValues.utf8(Long.toString(seq))));
    }

    /** One script call for the acknowledged entries of one read; idempotent, deferred as {@link #remove}. */
    @Override
    public void removeAll(String clientId, long[] seqs, int count) {
        if (count <= 0) {
            return;
        }
        List<byte[]> args = new ArrayList<>(1 + count);
        args.add(keys.prefix());
        for (int i = 0; i < count; i++) {
            args.add(RedisValues.utf8(Long.toString(seqs[i])));
        }
        script("remove " + count + " of " + clientId, RedisScripts.REMOVE_ALL,
                List.of(keys.queue(clientId), keys.entries(clientId), keys.queueBytes(clientId)), args);
    }

    /** An idempotent script write, deferred to the next flush with group commit. */
    private void script(String what, RedisScripts.Script script, List<byte[]> scriptKeys, List<byte[]> args) {
        store.write(what, true, pipeline -> script.pipelined(pipeline, scriptKeys, args),
                jedis -> script.run(jedis, scriptKeys, args));
    }

    @Override
    public void clear(String clientId) {
        store.flush(); // in order after the writes before it
        store.callWrite("clear queue " + clientId, true, jedis -> RedisScripts.CLEAR.run(jedis,
                List.of(keys.queue(clientId), keys.entries(clientId), keys.queueBytes(clientId),
                        keys.incomingQos2(clientId)),
                List.of(keys.prefix())));
    }

    @Override
    public QueueStats stats(String clientId) {
        return store.readFlushed("stats " + clientId, jedis -> {
            try (Transaction tx = jedis.multi()) {
                Response<Long> count = tx.zcard(keys.queue(clientId));
                Response<byte[]> bytes = tx.get(keys.queueBytes(clientId));
                tx.exec();
                if (count.get() == 0) {
                    return QueueStats.EMPTY;
                }
                byte[] total = bytes.get();
                return new QueueStats(count.get(), total == null ? 0 : Long.parseLong(RedisValues.text(total)));
            }
        });
    }

    @Override
    public void addIncomingQos2(String clientId, int packetId) {
        byte[] key = keys.incomingQos2(clientId);
        byte[] member = RedisValues.utf8(Integer.toString(packetId));
        store.write("add incoming qos2 " + clientId + " " + packetId, true, pipeline -> pipeline.sadd(key, member),
                jedis -> jedis.sadd(key, member));
    }

    @Override
    public void removeIncomingQos2(String clientId, int packetId) {
        byte[] key = keys.incomingQos2(clientId);
        byte[] member = RedisValues.utf8(Integer.toString(packetId));
        store.write("remove incoming qos2 " + clientId + " " + packetId, true, pipeline -> pipeline.srem(key, member),
                jedis -> jedis.srem(key, member));
    }

    @Override
    public Set<Integer> incomingQos2(String clientId) {
        store.flush();
        Set<byte[]> members = store.call("incoming qos2 " + clientId, true,
                jedis -> jedis.smembers(keys.incomingQos2(clientId)));
        Set<Integer> ids = new HashSet<>();
        for (byte[] member : members) {
            try {
                ids.add(Integer.parseInt(RedisValues.text(member)));
            } catch (NumberFormatException e) {
                throw new PersistenceException("redis " + store.where() + ": bad inbound QoS 2 id of '" + clientId
                        + "': " + RedisValues.text(member), e);
            }
        }
        return Set.copyOf(ids);
    }

    /** The entry after its message id: {@code |qos|retain|packetId|state|subIds} (the script adds an inline entry's bytes). */
    private static String entryTail(QueueTarget target) {
        StringJoiner ids = new StringJoiner(",");
        target.subscriptionIds().forEach(id -> ids.add(Integer.toString(id)));
        return "|" + target.qos() + "|" + (target.retain() ? 1 : 0) + "|0|" + InflightState.QUEUED.name() + "|" + ids;
    }

    private static List<Integer> decodeIds(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<Integer> ids = new ArrayList<>();
        for (String part : text.split(",")) {
            ids.add(Integer.parseInt(part));
        }
        return ids;
    }
}
