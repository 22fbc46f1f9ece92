package io.volantmq.persistence.redis;

import io.volantmq.persistence.AbstractProvider;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * A store in a Redis server (standalone, or the primary of a replicated pair; not Redis Cluster,
 * whose slots the multi-key scripts would cross), through Jedis.
 *
 * <p><b>Durability is the Redis server's.</b> A call returns once Redis has applied the change in
 * memory. Whether that change survives a Redis crash or power loss depends on the server's own
 * persistence: {@code appendonly yes} with {@code appendfsync always} loses nothing acknowledged;
 * {@code everysec} (Redis's default when AOF is on) may lose the last second; RDB snapshots alone
 * lose everything since the last snapshot; with neither, a Redis restart loses everything. The store
 * logs a warning at open when the server it reaches has no persistence at all.
 *
 * <p>Settings ({@code volantmq.persistence.redis.<key>}):
 * <ul>
 *   <li>{@code uri}: default {@code redis://127.0.0.1:6379/0}; user, password and database may be in
 *       it ({@code redis://user:secret@host:6379/2}), {@code rediss://} for TLS.</li>
 *   <li>{@code poolSize}: connections, default 8; also {@link Store#maxConcurrency()}.</li>
 *   <li>{@code keyPrefix}: default {@code volantmq:}; lets several brokers share one database.</li>
 *   <li>{@code connectTimeoutMillis}, {@code readTimeoutMillis}: default 2000 each. A call to a
 *       server that is down or hangs fails with a {@link PersistenceException} within about
 *       {@code connectTimeoutMillis + 2 * readTimeoutMillis}, plus at most
 *       {@code connectTimeoutMillis + readTimeoutMillis} waiting for a free pooled connection when
 *       all are busy. A call that times out may still have been applied by the server.</li>
 *   <li>{@code commit}: {@code group} (default) queues the message store's writes and sends them in
 *       one pipeline when {@link Store#sync()} or a read of the message store comes: one round trip
 *       (and, with {@code appendfsync always}, one server fsync) for many changes; {@code each} sends
 *       every write at once.</li>
 *   <li>{@code waitReplicas}: default 0 (off); with n &gt; 0 every flush, and every write sent at once, is
 *       followed by {@code WAIT n waitTimeoutMillis} (default 1000, below {@code readTimeoutMillis}); fewer
 *       replicas than n fails the sync, so nothing of it is acknowledged.</li>
 * </ul>
 * Any other key is refused.
 */
public final class RedisProvider extends AbstractProvider {

    public static final String NAME = "redis";
    private static final Set<String> KEYS = Set.of("uri", "poolSize", "keyPrefix", "connectTimeoutMillis",
            "readTimeoutMillis", "commit", "waitReplicas", "waitTimeoutMillis");

    public RedisProvider() {
        super(NAME, true, KEYS);
    }

    @Override
    protected Store openChecked(ProviderConfig config) {
        String uriText = config.get("uri", "redis://127.0.0.1:6379/0").trim();
        URI uri;
        try {
            uri = new URI(uriText);
        } catch (URISyntaxException e) {
            throw new PersistenceException(config.propertyName("uri") + " is not a URI: " + e.getMessage(), e);
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            throw new PersistenceException(config.propertyName("uri") + " must start with redis:// or rediss://, got '"
                    + RedisStore.redact(uri) + "'");
        }
        int poolSize = config.getPositiveInt("poolSize", 8);
        int connectTimeout = config.getPositiveInt("connectTimeoutMillis", 2000);
        int readTimeout = config.getPositiveInt("readTimeoutMillis", 2000);
        String keyPrefix = config.get("keyPrefix", "volantmq:");
        int waitReplicas = config.getInt("waitReplicas", 0);
        if (waitReplicas < 0) {
            throw new PersistenceException(config.propertyName("waitReplicas") + " must be 0 (off) or more, got "
                    + waitReplicas);
        }
        int waitTimeout = config.getPositiveInt("waitTimeoutMillis", 1000);
        if (waitReplicas > 0 && waitTimeout >= readTimeout) {
            throw new PersistenceException(config.propertyName("waitTimeoutMillis") + " (" + waitTimeout
                    + ") must be below readTimeoutMillis (" + readTimeout + "): WAIT blocks the connection that long");
        }
        return RedisStore.open(uri, keyPrefix, poolSize, connectTimeout, readTimeout, config.groupCommit(),
                waitReplicas, waitTimeout);
    }
}
