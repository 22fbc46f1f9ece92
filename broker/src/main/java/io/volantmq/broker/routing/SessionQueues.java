package io.volantmq.broker.routing;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueStats;

/**
 * Where a session's queue lives. A session that ends with its connection (expiry 0, 3.x clean session) loses
 * its state when the connection closes and after any crash, so writing its queue, inflight state and inbound
 * QoS 2 ids to a durable store buys nothing: its queue is kept in {@link #memory()}. Every other queue
 * (persistent sessions, a bridge's) is in {@link #durable()}. Over a store that is not durable both are the
 * same store.
 */
public final class SessionQueues {
    private final MessageStore durable;
    private final MessageStore memory;
    private final RecipientDirectory directory;

    public SessionQueues(MessageStore durable, MessageStore memory, RecipientDirectory directory) {
        this.durable = durable;
        this.memory = memory;
        this.directory = directory;
    }

    /** The broker's store's queues. */
    public MessageStore durable() {
        return durable;
    }

    /** The heap queues of sessions that end with their connection ({@link #durable()} over a memory store). */
    public MessageStore memory() {
        return memory;
    }

    /** The queue store of {@code recipient} (null: the durable one). */
    public MessageStore of(Recipient recipient) {
        return recipient != null && recipient.queuedInMemory() ? memory : durable;
    }

    /** The queue store of the current session of {@code clientId}. */
    public MessageStore of(String clientId) {
        return of(directory.find(clientId));
    }

    /** The queue of the current session of {@code clientId}, from wherever it lives. */
    public QueueStats stats(String clientId) {
        return of(clientId).stats(clientId);
    }
}
