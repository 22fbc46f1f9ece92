package io.volantmq.persistence.redis;

import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.CorruptRecordException;
import io.volantmq.persistence.codec.RecordCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.function.Consumer;

/** Retained messages in one hash, topic to encoded message. */
final class RedisRetainedStore implements RetainedStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRetainedStore.class);

    private final RedisStore store;
    private final RedisKeys keys;

    RedisRetainedStore(RedisStore store, RedisKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    @Override
    public void put(StoredMessage message) {
        store.callWrite("put retained " + message.topic(), true,
                jedis -> jedis.hset(keys.retained(), RedisValues.utf8(message.topic()), RecordCodec.message(message)));
    }

    @Override
    public void delete(String topic) {
        store.callWrite("delete retained " + topic, true, jedis -> jedis.hdel(keys.retained(), RedisValues.utf8(topic)));
    }

    @Override
    public Optional<StoredMessage> get(String topic) {
        byte[] value = store.call("get retained " + topic, true,
                jedis -> jedis.hget(keys.retained(), RedisValues.utf8(topic)));
        return Optional.ofNullable(value == null ? null : decode(topic, value));
    }

    @Override
    public long count() {
        return store.call("count retained", true, jedis -> jedis.hlen(keys.retained()));
    }

    @Override
    public void forEach(Consumer<StoredMessage> visitor) {
        RedisScan.hash(store, "list retained", keys.retained(), entry -> {
            StoredMessage message = decode(RedisValues.text(entry.getKey()), entry.getValue());
            if (message != null) {
                visitor.accept(message);
            }
        });
    }

    /** An undecodable message is reported and treated as absent rather than failing start-up. */
    private StoredMessage decode(String topic, byte[] value) {
        try {
            return RedisValues.decodeMessage(value);
        } catch (CorruptRecordException e) {
            LOG.error("redis {}: retained message of '{}' is unreadable ({}); ignoring it", store.where(), topic,
                    e.getMessage());
            return null;
        }
    }
}
