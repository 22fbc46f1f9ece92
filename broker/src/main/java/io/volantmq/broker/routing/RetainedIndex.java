package io.volantmq.broker.routing;

import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.StoredMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Retained messages: an in-memory index for matching on subscribe, written through to the store so
 * they survive a restart with a durable backend.
 *
 * <p>Bounded broker-wide by a count and a byte total (payload, topic and properties): every client
 * can retain, and what it retains stays in the heap until someone clears it. The broker's own
 * {@code $SYS/} values are neither bounded nor counted (clients cannot publish there). The check and
 * the insert are not one atomic step, so concurrent publishers may overshoot by at most one message
 * each; the totals themselves are exact.
 *
 * <p>Held in a {@link RetainedTrie}: a wildcard lookup visits only the part of the topic tree it can
 * match, so a SUBSCRIBE with {@code #} or {@code +} costs what it returns, not the whole index.
 */
public final class RetainedIndex {
    private final RetainedTrie byTopic = new RetainedTrie();
    private final RetainedStore store;
    private final long maxMessages;
    private final long maxBytes;
    /** Messages and bytes of the topics the bounds apply to. */
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    /** Unbounded. */
    public RetainedIndex(RetainedStore store) {
        this(store, 0, 0);
    }

    /** @param maxMessages retained messages held at most, 0 unlimited; @param maxBytes their bytes, 0 unlimited */
    public RetainedIndex(RetainedStore store, long maxMessages, long maxBytes) {
        this.store = store;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /**
     * Loads what the store holds, dropping expired messages; returns how many were loaded. Loaded
     * whatever the bounds: they were accepted once, and a lowered bound only stops new ones.
     */
    public int recover(long nowMillis) {
        List<String> expired = new ArrayList<>();
        store.forEach(message -> {
            if (message.expired(nowMillis)) {
                expired.add(message.topic());
            } else {
                track(byTopic.put(message), message);
            }
        });
        expired.forEach(store::delete);
        return byTopic.size();
    }

    /**
     * Stores or, for an empty payload, deletes the retained message of its topic [MQTT-3.3.1-10/11].
     * False when it was not stored because the bounds are reached (replacing a topic's message with
     * one no larger always fits; deleting always works).
     */
    public boolean update(StoredMessage message) {
        if (message.payload().length == 0) {
            StoredMessage removed = byTopic.remove(message.topic(), null);
            if (removed != null) {
                track(removed, null);
                store.delete(message.topic());
            }
            return true;
        }
        StoredMessage current = byTopic.get(message.topic());
        if (bounded(message.topic()) && !fits(current, message)) {
            return false;
        }
        store.put(message);
        track(byTopic.put(message), message);
        return true;
    }

    /** Whether replacing {@code current} (null: a new topic) by {@code message} stays within the bounds. */
    private boolean fits(StoredMessage current, StoredMessage message) {
        if (current == null && maxMessages > 0 && count.get() >= maxMessages) {
            return false;
        }
        long growth = weight(message) - (current == null ? 0 : weight(current));
        return maxBytes == 0 || growth <= 0 || bytes.get() + growth <= maxBytes;
    }

    /** Keeps the totals; {@code removed} and {@code added} share a topic (either may be null). */
    private void track(StoredMessage removed, StoredMessage added) {
        StoredMessage any = added != null ? added : removed;
        if (any == null || !bounded(any.topic())) {
            return;
        }
        long messages = (added == null ? 0 : 1) - (removed == null ? 0 : 1);
        long growth = (added == null ? 0 : weight(added)) - (removed == null ? 0 : weight(removed));
        // a topic's message replaced by one of the same size (the usual retained update) changes neither
        // total: no write, so event loops publishing retained messages do not contend on these two counters
        if (messages != 0) {
            count.addAndGet(messages);
        }
        if (growth != 0) {
            bytes.addAndGet(growth);
        }
    }

    /** The broker's own $SYS tree is not held to the bounds clients are. */
    private static boolean bounded(String topic) {
        return !topic.startsWith("$SYS/");
    }

    /** What a retained message costs: its payload, topic and properties (the topic counts: it may be 64 KiB). */
    static long weight(StoredMessage m) {
        return (long) m.payload().length + m.topic().length() + m.properties().length;
    }

    /** Retained messages whose topic matches {@code filter}, skipping and removing expired ones. */
    public List<StoredMessage> match(String filter, long nowMillis) {
        List<StoredMessage> result = new ArrayList<>();
        for (StoredMessage message : byTopic.match(filter)) {
            if (message.expired(nowMillis)) {
                if (byTopic.remove(message.topic(), message) != null) {
                    track(message, null);
                    store.delete(message.topic());
                }
            } else {
                result.add(message);
            }
        }
        return result;
    }

    /** Every retained message, {@code $} topics included, in no particular order (the admin API). */
    public List<StoredMessage> snapshot() {
        return List.copyOf(byTopic.all());
    }

    public int size() {
        return byTopic.size();
    }

    /** Trie nodes held (tests: emptied paths are pruned). */
    int trieNodes() {
        return byTopic.nodes();
    }

    /** Retained messages the bounds count (all but the broker's $SYS values). */
    public long counted() {
        return count.get();
    }

    /** Bytes held, as the bound counts them. */
    public long bytes() {
        return bytes.get();
    }
}
