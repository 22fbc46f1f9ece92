package io.volantmq.persistence.redis;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.SubscriptionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * A Jedis connection pool and the four domains on it. Every call borrows a connection, runs one
 * command, a MULTI/EXEC or a Lua script (atomic on the server), and returns it. Jedis failures
 * become {@link PersistenceException}s; the socket timeouts and the pool's borrow wait bound how
 * long any call can take.
 */
final class RedisStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
    private static final String SCHEMA = "1";

    private final JedisPool pool;
    private final String where;
    private final int poolSize;
    private final RedisKeys keys;
    private final RedisSessionStore sessions;
    private final RedisSubscriptionStore subscriptions;
    private final RedisRetainedStore retained;
    private final RedisMessageStore messages;
    private volatile boolean closed;

    private RedisStore(JedisPool pool, String where, int poolSize, RedisKeys keys) {
        this.pool = pool;
        this.where = where;
        this.poolSize = poolSize;
        this.keys = keys;
        this.sessions = new RedisSessionStore(this, keys);
        this.subscriptions = new RedisSubscriptionStore(this, keys);
        this.retained = new RedisRetainedStore(this, keys);
        this.messages = new RedisMessageStore(this, keys);
    }

    static RedisStore open(URI uri, String keyPrefix, int poolSize, int connectTimeoutMillis, int readTimeoutMillis) {
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(poolSize);
        config.setMaxIdle(poolSize);
        config.setMinIdle(0);
        config.setBlockWhenExhausted(true);
        // a borrow must not wait forever either: as long as making a fresh connection may take
        config.setMaxWait(Duration.ofMillis((long) connectTimeoutMillis + readTimeoutMillis));
        config.setJmxEnabled(false);
        String where = redact(uri) + " (prefix '" + keyPrefix + "')";
        JedisPool pool;
        try {
            pool = new JedisPool(config, uri, connectTimeoutMillis, readTimeoutMillis);
        } catch (JedisException | IllegalArgumentException e) {
            throw new PersistenceException("redis " + where + ": cannot create the connection pool: " + e.getMessage(), e);
        }
        RedisStore store = new RedisStore(pool, where, poolSize, new RedisKeys(keyPrefix));
        try {
            store.start();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return store;
    }

    /** Checks the server answers, claims or verifies the key space's schema, reports the server's persistence. */
    private void start() {
        call("open", true, jedis -> {
            jedis.set(keys.schema(), RedisCodec.utf8(SCHEMA), SetParams.setParams().nx());
            byte[] schema = jedis.get(keys.schema());
            if (schema == null || !SCHEMA.equals(RedisCodec.text(schema))) {
                throw new PersistenceException("redis " + where + ": the key space has schema '"
                        + (schema == null ? null : RedisCodec.text(schema)) + "', this broker knows '" + SCHEMA
                        + "'; use another keyPrefix or database");
            }
            reportPersistence(jedis);
            return null;
        });
        LOG.info("redis store open at {}, {} connections", where, poolSize);
    }

    private void reportPersistence(Jedis jedis) {
        Map<String, String> settings;
        try {
            settings = jedis.configGet("appendonly", "appendfsync", "save");
        } catch (JedisDataException e) {
            // managed services often rename or forbid CONFIG
            LOG.info("redis {}: cannot read the server's persistence settings ({}); the store is as durable "
                    + "as the server is configured to be", where, e.getMessage());
            return;
        }
        boolean aof = "yes".equalsIgnoreCase(settings.get("appendonly"));
        String save = settings.getOrDefault("save", "");
        if (!aof && save.isBlank()) {
            LOG.warn("redis {}: the server has no persistence (appendonly no, no save points): every session, "
                    + "subscription and queued message is lost when Redis restarts", where);
        } else {
            LOG.info("redis {}: server persistence appendonly={} appendfsync={} save='{}'", where,
                    settings.get("appendonly"), settings.get("appendfsync"), save);
        }
    }

    /**
     * Runs {@code work} on a pooled connection. A connection error empties the pool's idle
     * connections (after a Redis restart they are all dead) and, for an {@code idempotent} call
     * that failed fast, retries once on a fresh connection. A timeout is never retried: a call to a
     * hung server fails after the read timeout, plus up to one more while Jedis discards the
     * broken connection (measured: 1.05 s with 500 ms timeouts).
     */
    <T> T call(String what, boolean idempotent, Function<Jedis, T> work) {
        if (closed) {
            throw new PersistenceException("redis " + where + ": store is closed (" + what + ")");
        }
        for (int attempt = 1; ; attempt++) {
            try (Jedis jedis = pool.getResource()) {
                return work.apply(jedis);
            } catch (JedisConnectionException e) {
                pool.clear();
                if (idempotent && attempt == 1 && !timedOut(e) && !closed) {
                    LOG.debug("redis {}: {} failed on a stale connection, retrying once: {}", where, what, e.getMessage());
                    continue;
                }
                throw new PersistenceException("redis " + where + ": " + what + " failed: " + e.getMessage(), e);
            } catch (JedisException e) {
                throw new PersistenceException("redis " + where + ": " + what + " failed: " + e.getMessage(), e);
            }
        }
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    String where() {
        return where;
    }

    /** The URI without its password, for messages. */
    static String redact(URI uri) {
        String info = uri.getRawUserInfo();
        if (info == null) {
            return uri.toString();
        }
        int colon = info.indexOf(':');
        // user:password, or a bare password
        String shown = colon < 0 ? "***" : info.substring(0, colon) + ":***";
        return uri.toString().replace(info + "@", shown + "@");
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public SubscriptionStore subscriptions() {
        return subscriptions;
    }

    @Override
    public RetainedStore retained() {
        return retained;
    }

    @Override
    public MessageStore messages() {
        return messages;
    }

    /** One call per pooled connection at a time. */
    @Override
    public int maxConcurrency() {
        return poolSize;
    }

    /** Nothing to flush: every call has already reached Redis. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.close();
        LOG.info("redis store closed at {}", where);
    }
}
