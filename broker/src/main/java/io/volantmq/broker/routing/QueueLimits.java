package io.volantmq.broker.routing;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueuedMessage;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-session queue bound (messages and payload bytes) and its drop policy, applied once here
 * for every backend. Checks and appends are not one atomic step, so concurrent publishers may
 * overshoot the bound by at most one message each.
 */
public final class QueueLimits {
    private final MessageStore messages;
    private final int maxMessages;
    private final long maxBytes;
    private final BrokerConfig.DropPolicy policy;
    private final LongAdder dropped = new LongAdder();

    public QueueLimits(MessageStore messages, BrokerConfig config) {
        this.messages = messages;
        this.maxMessages = config.maxQueuedMessages();
        this.maxBytes = config.maxQueuedBytes();
        this.policy = config.queueDropPolicy();
    }

    /** What {@link #admit} decided. */
    public enum Admission {
        /** Queue it. */
        ADMIT,
        /** Queue it; the queue is more than half full, so slow the publisher down. */
        ADMIT_CONGESTED,
        /** Dropped: the queue is full and the policy keeps the older messages. */
        REJECT
    }

    /** Whether a message of {@code payloadBytes} may be queued for the client, after dropping the oldest if the policy says so. */
    public Admission admit(String clientId, int payloadBytes) {
        QueueStats stats = messages.stats(clientId);
        if (fits(stats, payloadBytes)) {
            boolean congested = stats.messages() * 2 >= maxMessages || stats.payloadBytes() * 2 >= maxBytes;
            return congested ? Admission.ADMIT_CONGESTED : Admission.ADMIT;
        }
        if (policy == BrokerConfig.DropPolicy.OLDEST && dropOldest(clientId, stats, payloadBytes)) {
            return Admission.ADMIT_CONGESTED;
        }
        dropped.increment();
        return Admission.REJECT;
    }

    private boolean fits(QueueStats stats, int payloadBytes) {
        return stats.messages() < maxMessages && stats.payloadBytes() + payloadBytes <= maxBytes;
    }

    /** Removes the oldest entries not yet sent until the new message fits; inflight ones stay. */
    private boolean dropOldest(String clientId, QueueStats stats, int payloadBytes) {
        long count = stats.messages();
        long bytes = stats.payloadBytes();
        long after = 0;
        while (!(count < maxMessages && bytes + payloadBytes <= maxBytes)) {
            List<QueuedMessage> batch = messages.read(clientId, after, 32);
            if (batch.isEmpty()) {
                return false;
            }
            for (QueuedMessage entry : batch) {
                after = entry.seq();
                if (entry.state() == InflightState.QUEUED) {
                    messages.remove(clientId, entry.seq());
                    dropped.increment();
                    count--;
                    bytes -= entry.message().payload().length;
                    if (count < maxMessages && bytes + payloadBytes <= maxBytes) {
                        return true;
                    }
                }
            }
        }
        return true;
    }

    /** Messages dropped because a queue was full, since start. */
    public long dropped() {
        return dropped.sum();
    }
}
