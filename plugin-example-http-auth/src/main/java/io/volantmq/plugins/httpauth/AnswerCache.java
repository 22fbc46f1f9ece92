package io.volantmq.plugins.httpauth;

import java.util.LinkedHashMap;
import java.util.Map;

/** Answers for a while, at most {@code size} of them (least recently used first out). */
final class AnswerCache<V> {
    private record Entry<V>(V value, long expiresAt) {
    }

    private final long ttlMillis;
    private final Map<String, Entry<V>> entries;

    AnswerCache(int size, long ttlMillis) {
        this.ttlMillis = ttlMillis;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
                return size() > size;
            }
        };
    }

    synchronized V get(String key) {
        Entry<V> e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (System.nanoTime() - e.expiresAt() > 0) {
            entries.remove(key);
            return null;
        }
        return e.value();
    }

    synchronized void put(String key, V value) {
        if (ttlMillis > 0) {
            entries.put(key, new Entry<>(value, System.nanoTime() + ttlMillis * 1_000_000));
        }
    }
}
