package io.volantmq.broker.retained;

import io.volantmq.broker.routing.TopicMatcher;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.StoredMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Retained messages: an in-memory index for matching on subscribe, written through to the store so
 * they survive a restart with a durable backend.
 */
public final class RetainedIndex {
    private final Map<String, StoredMessage> byTopic = new ConcurrentHashMap<>();
    private final RetainedStore store;

    public RetainedIndex(RetainedStore store) {
        this.store = store;
    }

    /** Loads what the store holds, dropping expired messages; returns how many were loaded. */
    public int recover(long nowMillis) {
        List<String> expired = new ArrayList<>();
        store.forEach(message -> {
            if (message.expired(nowMillis)) {
                expired.add(message.topic());
            } else {
                byTopic.put(message.topic(), message);
            }
        });
        expired.forEach(store::delete);
        return byTopic.size();
    }

    /** Stores or, for an empty payload, deletes the retained message of its topic [MQTT-3.3.1-10/11]. */
    public void update(StoredMessage message) {
        if (message.payload().length == 0) {
            if (byTopic.remove(message.topic()) != null) {
                store.delete(message.topic());
            }
        } else {
            store.put(message);
            byTopic.put(message.topic(), message);
        }
    }

    /** Retained messages whose topic matches {@code filter}, skipping and removing expired ones. */
    public List<StoredMessage> match(String filter, long nowMillis) {
        List<StoredMessage> result = new ArrayList<>();
        boolean wildcard = filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
        // a filter without wildcards names one topic: no scan of every retained message
        Iterable<StoredMessage> candidates = wildcard ? byTopic.values()
                : byTopic.containsKey(filter) ? List.of(byTopic.get(filter)) : List.of();
        for (StoredMessage message : candidates) {
            if (!TopicMatcher.matches(filter, message.topic())) {
                continue;
            }
            if (message.expired(nowMillis)) {
                if (byTopic.remove(message.topic(), message)) {
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
        return List.copyOf(byTopic.values());
    }

    public int size() {
        return byTopic.size();
    }
}
