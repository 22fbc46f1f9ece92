package io.volantmq.persistence.redis;

import redis.clients.jedis.PipeliningBase;
import redis.clients.jedis.Response;

import java.net.URI;
import java.util.function.Function;

/**
 * What a module on the same Redis server (the cluster) may add to a redis store's group commit:
 * commands that join the writes of the current {@link io.volantmq.persistence.Store#together} unit,
 * so that they reach Redis in the same MULTI/EXEC as the store's own writes and are covered by the
 * same WAIT for replicas. Implemented by the store the redis provider opens.
 */
public interface RedisGroupWrites {

    /** False with {@code commit=each}: every write is sent at once and nothing can join it. */
    boolean grouped();

    /** Whether {@code uri} names the server and database this store writes to (user and password aside). */
    boolean sameServer(URI uri);

    /** Whether this thread is inside {@code together}: a deferred command then lands with that unit. */
    boolean inUnit();

    /**
     * Waits until every unit ({@code together}) that other threads had begun when this was called has ended, its
     * writes pending for the next flush: a sync after it carries them. False when {@code timeoutMillis} passed
     * first. The cluster calls it before a moved session's old node answers the kick: a message routed to the
     * session before it left must not reach its queue after the new node's later entries.
     */
    boolean awaitOpenUnits(long timeoutMillis) throws InterruptedException;

    /** Adds {@code command} to this thread's unit, or, outside one, to the next flush. */
    void defer(String what, Function<PipeliningBase, Response<?>> command);

    /**
     * A fencing token for the flushes from now on: a MULTI/EXEC is applied only while {@code key} holds
     * {@code expected} (WATCH, GET, compare, then MULTI/EXEC, so a change before the EXEC aborts it too);
     * a flush that finds another value writes nothing and fails. The writes made before this call are
     * flushed first, under the previous token. The cluster uses it so that a node the others declared
     * dead cannot apply, once it wakes, writes it made before (the janitor has handed their work on).
     */
    void fence(String key, String expected);

    /** Flushes (and single writes) after which WAIT found fewer replicas than asked: none of them was acknowledged. */
    long notReplicated();
}
