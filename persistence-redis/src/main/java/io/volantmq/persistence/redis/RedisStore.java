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
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.PipeliningBase;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A Jedis connection pool and the four domains on it. Every call borrows a connection, runs one
 * command, a MULTI/EXEC or a Lua script (atomic on the server), and returns it. Jedis failures
 * become {@link PersistenceException}s; the socket timeouts and the pool's borrow wait bound how
 * long any call can take. With group commit, the message store's writes go to Redis in one
 * MULTI/EXEC per flush (a crash of the broker applies all of them or none), and with
 * {@code waitReplicas} every flush and every other write is followed by one WAIT.
 */
final class RedisStore implements Store, RedisGroupWrites {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
    /**
     * 2: a message for one queue is kept in its queue entry. A key space at 1 is taken over as it is (its entries
     * all still read) and marked 2, so a broker from before, which would skip inline entries, refuses it.
     */
    private static final String SCHEMA = "2";
    private static final String SCHEMA_BEFORE_INLINE_ENTRIES = "1";
    private static final String TAKE_OVER_SCHEMA =
            "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

    private final JedisPool pool;
    private final String where;
    private final int poolSize;
    private final RedisKeys keys;
    private final RedisSessionStore sessions;
    private final RedisSubscriptionStore subscriptions;
    private final RedisRetainedStore retained;
    private final RedisMessageStore messages;
    private volatile boolean closed;

    /** Group commit: message-store writes wait in {@link #pending} until the next {@link #flush}. */
    private final boolean groupCommit;
    private final ReentrantLock flushLock = new ReentrantLock();
    private final Object pendingLock = new Object();
    private List<Deferred> pending = new ArrayList<>();
    /** What waits for the writes in {@link #pending} to reach Redis (see {@link #whenVisible}). */
    private List<Runnable> afterPending = new ArrayList<>();
    /**
     * A queue entry in {@link #pending} was written outside a unit: its subscriber may already be woken (outside
     * a unit {@link #whenVisible} runs at once), so a read must send it first. Guarded by {@link #pendingLock}.
     */
    private boolean looseEnqueues;
    /**
     * A flush that took such entries is still sending them: a read must wait for it (its flag was cleared when the
     * flush took the batch, but the entries reach Redis only when the flush ends). Guarded by {@link #pendingLock}.
     */
    private boolean looseEnqueuesInFlight;
    /** Any write in {@link #pending} was made outside a unit: the caller takes it as made. Guarded by {@link #pendingLock}. */
    private boolean looseWrites;
    /**
     * The unit this thread is in ({@link #together}), null outside one. Its writes join {@link #pending}
     * only when it ends, all at once: a flush never takes a part of a unit, and never waits for one in
     * progress (an inbox batch of 500 entries is one unit; a subscriber's read must not wait for all of it).
     */
    private final ThreadLocal<Unit> unit = new ThreadLocal<>();
    /**
     * Units in progress, counted in two phases (see {@link #awaitOpenUnits}): a unit counts in the phase that
     * was current when it began, until its writes are pending.
     */
    private final AtomicInteger[] openUnits = {new AtomicInteger(), new AtomicInteger()};
    private volatile int openPhase;
    /** Replicas each write must reach (WAIT) before it counts as made; 0: no WAIT. */
    private final int waitReplicas;
    private final long waitTimeoutMillis;
    private final LongAdder notReplicated = new LongAdder();
    private final URI uri;
    /** A flush that a read made failed since the last sync: its writes are lost, so that sync must fail. */
    private String failedSinceSync;

    /** Null, or the key and value every flush checks first (see {@link RedisGroupWrites#fence}). */
    private volatile Fence fence;

    private record Fence(String key, String expected) {
    }

    /** A write waiting for the next flush, as a pipelined command. */
    private record Deferred(String what, Function<PipeliningBase, Response<?>> command) {
    }

    /** The writes of a unit in progress, and what runs once they have reached Redis. */
    private record Unit(List<Deferred> writes, List<Runnable> afterWrites) {
    }

    private RedisStore(JedisPool pool, URI uri, String where, int poolSize, RedisKeys keys, boolean groupCommit,
                       int waitReplicas, long waitTimeoutMillis) {
        this.groupCommit = groupCommit;
        this.uri = uri;
        this.waitReplicas = waitReplicas;
        this.waitTimeoutMillis = waitTimeoutMillis;
        this.pool = pool;
        this.where = where;
        this.poolSize = poolSize;
        this.keys = keys;
        this.sessions = new RedisSessionStore(this, keys);
        this.subscriptions = new RedisSubscriptionStore(this, keys);
        this.retained = new RedisRetainedStore(this, keys);
        this.messages = new RedisMessageStore(this, keys);
    }

    static RedisStore open(URI uri, String keyPrefix, int poolSize, int connectTimeoutMillis, int readTimeoutMillis,
                           boolean groupCommit, int waitReplicas, long waitTimeoutMillis) {
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
        RedisStore store = new RedisStore(pool, uri, where, poolSize, new RedisKeys(keyPrefix), groupCommit,
                waitReplicas, waitTimeoutMillis);
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
            jedis.set(keys.schema(), RedisValues.utf8(SCHEMA), SetParams.setParams().nx());
            // compare and set: a schema another broker wrote meanwhile is not overwritten
            Object tookOver = jedis.eval(RedisValues.utf8(TAKE_OVER_SCHEMA), 1, keys.schema(),
                    RedisValues.utf8(SCHEMA_BEFORE_INLINE_ENTRIES), RedisValues.utf8(SCHEMA));
            if (Long.valueOf(1).equals(tookOver)) {
                LOG.info("redis {}: key space schema 1 taken over as 2 (a message for one queue is kept in its queue "
                        + "entry from now on); brokers from before this one refuse it", where);
            }
            byte[] schema = jedis.get(keys.schema());
            if (schema == null || !SCHEMA.equals(RedisValues.text(schema))) {
                throw new PersistenceException("redis " + where + ": the key space has schema '"
                        + (schema == null ? null : RedisValues.text(schema)) + "', this broker knows '" + SCHEMA
                        + "'; use another keyPrefix or database");
            }
            reportPersistence(jedis);
            return null;
        });
        LOG.info("redis store open at {}, {} connections, commit={}{}", where, poolSize, groupCommit ? "group" : "each",
                waitReplicas > 0 ? ", WAIT " + waitReplicas + " replica(s) " + waitTimeoutMillis + " ms" : "");
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

    /**
     * A write of the message store: with group commit it waits for the next flush (a sync, or a
     * read of the message store, which must see it); otherwise it is sent at once, as {@code direct}.
     */
    void write(String what, boolean idempotent, Function<PipeliningBase, Response<?>> command,
               Function<Jedis, ?> direct) {
        if (!groupCommit) {
            callWrite(what, idempotent, direct);
            return;
        }
        defer(what, command);
    }

    /** A write sent at once (sessions, subscriptions, retained): {@link #call}, then the WAIT if configured. */
    <T> T callWrite(String what, boolean idempotent, Function<Jedis, T> work) {
        return call(what, idempotent, jedis -> {
            T result = work.apply(jedis);
            awaitReplicas(jedis, what);
            return result;
        });
    }

    /** WAIT on the connection that made the writes; fewer replicas than asked fails the call (nothing is acknowledged). */
    private void awaitReplicas(Jedis jedis, String what) {
        if (waitReplicas <= 0) {
            return;
        }
        long reached = jedis.waitReplicas(waitReplicas, waitTimeoutMillis);
        if (reached < waitReplicas) {
            notReplicated.increment();
            throw new PersistenceException("redis " + where + ": " + what + " reached " + reached + " of "
                    + waitReplicas + " replica(s) within " + waitTimeoutMillis + " ms (WAIT); not acknowledged");
        }
    }

    @Override
    public void defer(String what, Function<PipeliningBase, Response<?>> command) {
        if (closed) {
            throw new PersistenceException("redis " + where + ": store is closed (" + what + ")");
        }
        Deferred write = new Deferred(what, command);
        Unit open = unit.get();
        if (open != null) {
            open.writes().add(write);
            return;
        }
        synchronized (pendingLock) {
            pending.add(write);
            looseWrites = true;
        }
    }

    /** After a queue entry was deferred: outside a unit, a read of the queue must flush before it reads. */
    void enqueued() {
        if (groupCommit && unit.get() == null) {
            synchronized (pendingLock) {
                looseEnqueues = true;
            }
        }
    }

    /**
     * Before a queue read: sends the waiting writes when the read could miss what it was woken for (a queue entry
     * written outside a unit), or when it reads a queue from its start (a detached session's acknowledgements and
     * SENT states must be seen). Entries written in a unit wake their subscribers only after the flush that sends
     * them, so a read further along needs no flush and does not wait for one (an fsync with
     * {@code appendfsync always}).
     */
    void flushForRead(boolean fromStart) {
        boolean needed;
        boolean inFlight;
        synchronized (pendingLock) {
            needed = looseEnqueues;
            inFlight = looseEnqueuesInFlight;
        }
        if (needed || fromStart) {
            flush();
        } else if (inFlight) {
            flushLock.lock(); // the flush carrying them holds it until its writes are in
            flushLock.unlock();
        }
    }

    /**
     * Runs {@code action} once the writes this thread made so far are visible to reads on other threads:
     * inside a unit, after the flush that carries the unit (a subscriber woken earlier would read before
     * the unit's queue entries are there, and nobody would wake it again); otherwise at once.
     */
    void whenVisible(Runnable action) {
        Unit open = unit.get();
        if (open == null) {
            action.run();
            return;
        }
        open.afterWrites().add(action);
    }

    /**
     * The writes {@code changes} makes on this thread reach Redis in the same flush (one MULTI/EXEC),
     * or not at all when it throws. A read inside flushes what other threads wrote, not this unit's writes.
     */
    @Override
    public void together(Runnable changes) {
        if (!groupCommit || unit.get() != null) {
            changes.run();
            return;
        }
        Unit mine = new Unit(new ArrayList<>(), new ArrayList<>());
        AtomicInteger open = enterUnit();
        try {
            unit.set(mine);
            try {
                changes.run(); // throws: its writes are dropped, never written
            } finally {
                unit.remove();
            }
            if (mine.writes().isEmpty()) {
                mine.afterWrites().forEach(Runnable::run);
                return;
            }
            synchronized (pendingLock) {
                pending.addAll(mine.writes());
                afterPending.addAll(mine.afterWrites());
            }
        } finally {
            open.decrementAndGet(); // its writes are pending now (or dropped): the next flush carries them
        }
    }

    /**
     * Counts a unit that begins in the current phase. Read again after the count: a unit counted in a phase that
     * {@link #awaitOpenUnits} had just left would be waited for by nobody, so it counts again in the new one.
     */
    private AtomicInteger enterUnit() {
        while (true) {
            int phase = openPhase;
            AtomicInteger open = openUnits[phase];
            open.incrementAndGet();
            if (openPhase == phase) {
                return open;
            }
            open.decrementAndGet();
        }
    }

    @Override
    public boolean awaitOpenUnits(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (openUnits) {
            // units begun from now on count in the other phase: only those open before this call are waited for
            int before = openPhase;
            openPhase = 1 - before;
            while (openUnits[before].get() > 0) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.sleep(1);
            }
            return true;
        }
    }

    @Override
    public boolean grouped() {
        return groupCommit;
    }

    @Override
    public boolean inUnit() {
        return unit.get() != null;
    }

    @Override
    public boolean sameServer(URI other) {
        return other != null && String.valueOf(uri.getHost()).equalsIgnoreCase(String.valueOf(other.getHost()))
                && port(uri) == port(other) && database(uri) == database(other);
    }

    private static int port(URI u) {
        return u.getPort() < 0 ? 6379 : u.getPort();
    }

    private static int database(URI u) {
        String path = u.getPath() == null ? "" : u.getPath().replace("/", "");
        try {
            return path.isEmpty() ? 0 : Integer.parseInt(path);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void fence(String key, String expected) {
        flushLock.lock();
        try {
            if (fence != null && groupCommit) {
                try {
                    flushLocked(); // what was written under the previous token is applied under it, or not at all
                } catch (PersistenceException e) {
                    failedSinceSync = e.getMessage();
                    LOG.warn("redis {}: writes made under the previous fencing token dropped: {}", where, e.getMessage());
                }
            }
            fence = new Fence(key, expected);
        } finally {
            flushLock.unlock();
        }
    }

    @Override
    public long notReplicated() {
        return notReplicated.sum();
    }

    /** Sends the waiting writes in one pipeline, in the order they were made, and checks every reply. */
    void flush() {
        if (!groupCommit) {
            return;
        }
        flushLock.lock();
        try {
            try {
                flushLocked();
            } catch (PersistenceException e) {
                failedSinceSync = e.getMessage();
                throw e;
            }
        } finally {
            flushLock.unlock();
        }
    }

    private void flushLocked() {
        List<Deferred> batch;
        List<Runnable> after;
        boolean carriesLoose;
        synchronized (pendingLock) {
            if (pending.isEmpty()) {
                return;
            }
            batch = pending;
            pending = new ArrayList<>();
            after = afterPending;
            afterPending = new ArrayList<>();
            carriesLoose = looseEnqueues;
            looseEnqueuesInFlight |= carriesLoose;
            looseEnqueues = false;
            looseWrites = false;
        }
        try {
            send(batch);
        } finally {
            if (carriesLoose) {
                synchronized (pendingLock) {
                    looseEnqueuesInFlight = false; // sent (or failed): a read now finds what is there
                }
            }
            // also when it failed: what waits (a subscriber's wake-up) reads the store again and finds what is there
            for (Runnable action : after) {
                try {
                    action.run();
                } catch (RuntimeException e) { // a closing event loop must not fail the flush of everyone's writes
                    LOG.warn("redis {}: an action waiting for a flush failed: {}", where, e.toString());
                }
            }
        }
    }

    private void send(List<Deferred> batch) {
        // never retried: a lost reply leaves unknown which writes the server applied. One MULTI/EXEC:
        // a broker killed while sending it leaves none of them applied, never a part of one PUBLISH's
        String what = "writing " + batch.size() + " changes";
        call(what, false, jedis -> {
            List<Response<?>> replies = new ArrayList<>(batch.size());
            Fence f = fence;
            if (f != null) {
                // WATCH and GET in one round trip, not two: a flush's round trips are what a durable QoS 1
                // message waits for (WATCH holds from the moment Redis runs it, whenever its reply is read)
                String current;
                try (Pipeline p = jedis.pipelined()) {
                    p.sendCommand(Protocol.Command.WATCH, f.key());
                    Response<String> value = p.get(f.key());
                    p.sync();
                    current = value.get();
                } catch (JedisDataException e) {
                    jedis.unwatch(); // Jedis does not know of this WATCH: the pooled connection must not keep it
                    throw e;
                }
                if (!f.expected().equals(current)) {
                    jedis.unwatch();
                    throw new PersistenceException("redis " + where + ": " + what + ": fenced (" + f.key()
                            + " is no longer " + f.expected() + "); nothing written");
                }
            }
            try (Transaction tx = jedis.multi()) {
                for (Deferred write : batch) {
                    replies.add(write.command().apply(tx));
                }
                if (tx.exec() == null) {
                    throw new PersistenceException("redis " + where + ": " + what + ": transaction aborted");
                }
            }
            for (int i = 0; i < replies.size(); i++) {
                try {
                    replies.get(i).get();
                } catch (JedisDataException e) {
                    throw new PersistenceException("redis " + where + ": " + batch.get(i).what() + " failed: "
                            + e.getMessage(), e);
                }
            }
            awaitReplicas(jedis, what); // once per flush: every message of the batch waits for the same WAIT
            return null;
        });
    }

    /**
     * A read with no flush in progress: what a flush sent and what waits for it ({@link #whenVisible}, which also
     * corrects the broker's queue counts) are never seen half done. It sends the waiting writes only when one was
     * made outside a unit (its caller takes it as made: a removal, say); a unit's entries the broker counts itself
     * until their flush has run, so a count asked for now and then (the queue bound) does not cost an fsync of
     * every lane's writes.
     */
    <T> T readFlushed(String what, Function<Jedis, T> work) {
        if (!groupCommit) {
            return call(what, true, work);
        }
        flushLock.lock();
        try {
            boolean loose;
            synchronized (pendingLock) {
                loose = looseWrites;
            }
            if (loose) {
                flush();
            }
            return call(what, true, work);
        } finally {
            flushLock.unlock();
        }
    }

    @Override
    public Durability durability() {
        return groupCommit ? Durability.ON_SYNC : Durability.ON_RETURN;
    }

    /**
     * Flushes; the server has applied every write when the replies are in (and, with
     * {@code appendfsync always}, synced its append-only file: it fsyncs before replying).
     */
    @Override
    public void sync() {
        if (!groupCommit) {
            return;
        }
        if (unit.get() != null) {
            throw new PersistenceException("redis " + where + ": sync inside a unit of writes (it cannot end before"
                    + " the unit does)");
        }
        flushLock.lock();
        try {
            String failedEarlier = failedSinceSync;
            failedSinceSync = null;
            flushLocked();
            if (failedEarlier != null) {
                throw new PersistenceException("redis " + where + ": writes since the last sync were lost: " + failedEarlier);
            }
        } finally {
            flushLock.unlock();
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
        try {
            flush(); // a clean stop sends what still waits
        } catch (PersistenceException e) {
            LOG.warn("redis {}: writes waiting at close were lost: {}", where, e.getMessage());
        }
        closed = true;
        pool.close();
        LOG.info("redis store closed at {}", where);
    }
}
