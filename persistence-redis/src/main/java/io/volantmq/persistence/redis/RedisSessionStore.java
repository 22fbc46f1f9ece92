package io.volantmq.persistence.redis;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.codec.CorruptRecordException;
import io.volantmq.persistence.codec.RecordCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Sessions in one hash, client id to encoded state. */
final class RedisSessionStore implements SessionStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSessionStore.class);

    private final RedisStore store;
    private final RedisKeys keys;

    RedisSessionStore(RedisStore store, RedisKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    @Override
    public void put(SessionState state) {
        store.callWrite("put session " + state.clientId(), true,
                jedis -> jedis.hset(keys.sessions(), RedisValues.utf8(state.clientId()), RecordCodec.session(state)));
    }

    @Override
    public Optional<SessionState> get(String clientId) {
        byte[] value = store.call("get session " + clientId, true,
                jedis -> jedis.hget(keys.sessions(), RedisValues.utf8(clientId)));
        return Optional.ofNullable(value == null ? null : decode(clientId, value));
    }

    @Override
    public void delete(String clientId) {
        store.callWrite("delete session " + clientId, true, jedis -> jedis.hdel(keys.sessions(), RedisValues.utf8(clientId)));
    }

    @Override
    public void forEach(Consumer<SessionState> visitor) {
        RedisScan.hash(store, "list sessions", keys.sessions(), (Map.Entry<byte[], byte[]> entry) -> {
            SessionState state = decode(RedisValues.text(entry.getKey()), entry.getValue());
            if (state != null) {
                visitor.accept(state);
            }
        });
    }

    /** An undecodable record is reported and treated as absent: the client starts a new session. */
    private SessionState decode(String clientId, byte[] value) {
        try {
            return RedisValues.decodeSession(value);
        } catch (CorruptRecordException e) {
            LOG.error("redis {}: session of '{}' is unreadable ({}); ignoring it", store.where(), clientId, e.getMessage());
            return null;
        }
    }
}
