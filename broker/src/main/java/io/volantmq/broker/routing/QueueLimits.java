package io.volantmq.broker.routing;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueuedMessage;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-session queue bound (messages and payload bytes) and its drop policy, applied once here
 * for every backend. Checks and appends are not one atomic step, so concurrent publishers may
 * overshoot the bound by at most one message each.
 *
 * <p>Asking the store for a queue's size on every message costs a query (a network round trip on
 * Redis) per subscriber per PUBLISH. So the answer is kept per client together with what was
 * admitted since: removals only shrink a queue, so that sum is an upper bound, and while it stays
 * below half of both bounds a message is admitted without asking. The store is asked again after
 * {@link #REFRESH_EVERY} such admissions, or a quarter of the room left below half the message bound
 * when that is more (a queue of 2,000 under the default bound of 10,000: every 750, as a query there
 * counts the whole queue on SQLite and waits for a flush on Redis), near the bounds, and after
 * {@link #invalidate}, which every other path that adds to a queue calls.
 */
public final class QueueLimits {
    private final MessageStore messages;
    private final int maxMessages;
    private final long maxBytes;
    private final BrokerConfig.DropPolicy policy;
    private final LongAdder dropped = new LongAdder();
    private final Map<String, Estimate> estimates = new ConcurrentHashMap<>();
    /**
     * What was admitted to or dropped from a queue inside store units not sent yet ({@link MessageStore#whenVisible}):
     * the store's answers leave it out (an inbox batch of a cluster node is one unit of up to 500 entries).
     */
    private final Map<String, Unsent> unsent = new ConcurrentHashMap<>();
    /** Queues with bounds of their own (a bridge's), by client id. */
    private final Map<String, Bound> bounds = new ConcurrentHashMap<>();
    static final int REFRESH_EVERY = 64;

    /** An upper bound on a queue: the store's last answer plus what was admitted since. */
    private static final class Estimate {
        long messages;
        long bytes;
        int admitted;
        /** Admissions after which the store is asked again. */
        final int refreshAfter;

        Estimate(long messages, long bytes, int maxMessages) {
            this.messages = messages;
            this.bytes = bytes;
            this.refreshAfter = (int) Math.max(REFRESH_EVERY, (maxMessages / 2 - messages) / 4);
        }
    }

    /** Admitted (positive) and dropped (negative) messages and bytes of one queue not sent yet, and the dropped seqs. */
    private static final class Unsent {
        long messages;
        long bytes;
        final Set<Long> dropped = new HashSet<>();
    }

    public QueueLimits(MessageStore messages, BrokerConfig config) {
        this.messages = messages;
        this.maxMessages = config.maxQueuedMessages();
        this.maxBytes = config.maxQueuedBytes();
        this.policy = config.queueDropPolicy();
    }

    /** A queue's own bounds and drop policy, and what it dropped. */
    public record Bound(int maxMessages, long maxBytes, BrokerConfig.DropPolicy policy, LongAdder dropped) {
    }

    /** Gives {@code clientId}'s queue bounds of its own instead of the broker's; returns its drop counter. */
    public LongAdder bound(String clientId, int maxMessages, long maxBytes, BrokerConfig.DropPolicy policy) {
        Bound b = new Bound(maxMessages, maxBytes, policy, new LongAdder());
        bounds.put(clientId, b);
        estimates.remove(clientId);
        return b.dropped();
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
        return admit(clientId, messages, payloadBytes);
    }

    /** As above, for a queue kept in {@code queue} (a session's heap queue, see {@link SessionQueues}). */
    public Admission admit(String clientId, MessageStore queue, int payloadBytes) {
        Bound own = bounds.get(clientId);
        int maxMessages = own == null ? this.maxMessages : own.maxMessages();
        long maxBytes = own == null ? this.maxBytes : own.maxBytes();
        Estimate estimate = estimates.get(clientId);
        if (estimate != null) {
            synchronized (estimate) {
                if (estimate.admitted < estimate.refreshAfter && (estimate.messages + 1) * 2 < maxMessages
                        && (estimate.bytes + payloadBytes) * 2 < maxBytes) {
                    estimate.messages++;
                    estimate.bytes += payloadBytes;
                    estimate.admitted++;
                    unsent(queue, clientId, 1, payloadBytes, null);
                    return Admission.ADMIT;
                }
            }
        }
        QueueStats stats = withUnsent(clientId, queue.stats(clientId));
        if (fits(stats, payloadBytes, maxMessages, maxBytes)) {
            unsent(queue, clientId, 1, payloadBytes, null);
            boolean congested = stats.messages() * 2 >= maxMessages || stats.payloadBytes() * 2 >= maxBytes;
            if (congested) {
                estimates.remove(clientId);
                return Admission.ADMIT_CONGESTED;
            }
            estimates.put(clientId, new Estimate(stats.messages() + 1, stats.payloadBytes() + payloadBytes, maxMessages));
            return Admission.ADMIT;
        }
        estimates.remove(clientId);
        BrokerConfig.DropPolicy policy = own == null ? this.policy : own.policy();
        if (policy == BrokerConfig.DropPolicy.OLDEST
                && dropOldest(queue, clientId, stats, payloadBytes, maxMessages, maxBytes, own)) {
            unsent(queue, clientId, 1, payloadBytes, null);
            return Admission.ADMIT_CONGESTED;
        }
        dropped(own);
        return Admission.REJECT;
    }

    private void dropped(Bound own) {
        dropped.increment();
        if (own != null) {
            own.dropped().increment();
        }
    }

    private static boolean fits(QueueStats stats, int payloadBytes, int maxMessages, long maxBytes) {
        return stats.messages() < maxMessages && stats.payloadBytes() + payloadBytes <= maxBytes;
    }

    /** Removes the oldest entries not yet sent until the new message fits; inflight ones stay. */
    private boolean dropOldest(MessageStore messages, String clientId, QueueStats stats, int payloadBytes,
                               int maxMessages, long maxBytes, Bound own) {
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
                if (entry.state() == InflightState.QUEUED && !droppedUnsent(clientId, entry.seq())) {
                    messages.remove(clientId, entry.seq());
                    unsent(messages, clientId, -1, -entry.message().payload().length, entry.seq());
                    dropped(own);
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

    /** Records a change to the queue until the unit that makes it has been sent (at once outside a unit). */
    private void unsent(MessageStore messages, String clientId, long count, long bytes, Long droppedSeq) {
        unsent.compute(clientId, (c, u) -> {
            Unsent v = u == null ? new Unsent() : u;
            synchronized (v) {
                v.messages += count;
                v.bytes += bytes;
                if (droppedSeq != null) {
                    v.dropped.add(droppedSeq);
                }
            }
            return v;
        });
        messages.whenVisible(() -> unsent.computeIfPresent(clientId, (c, v) -> {
            synchronized (v) {
                v.messages -= count;
                v.bytes -= bytes;
                if (droppedSeq != null) {
                    v.dropped.remove(droppedSeq);
                }
                return v.messages == 0 && v.bytes == 0 && v.dropped.isEmpty() ? null : v;
            }
        }));
    }

    /** The store's answer plus what units not sent yet have added or dropped. */
    private QueueStats withUnsent(String clientId, QueueStats stats) {
        Unsent u = unsent.get(clientId);
        if (u == null) {
            return stats;
        }
        synchronized (u) {
            return new QueueStats(Math.max(0, stats.messages() + u.messages), Math.max(0, stats.payloadBytes() + u.bytes));
        }
    }

    private boolean droppedUnsent(String clientId, long seq) {
        Unsent u = unsent.get(clientId);
        if (u == null) {
            return false;
        }
        synchronized (u) {
            return u.dropped.contains(seq);
        }
    }

    /** Something other than an admitted message was added to the client's queue, or the queue ended. */
    public void invalidate(String clientId) {
        estimates.remove(clientId);
    }

    /** Messages dropped because a queue was full, since start. */
    public long dropped() {
        return dropped.sum();
    }
}
