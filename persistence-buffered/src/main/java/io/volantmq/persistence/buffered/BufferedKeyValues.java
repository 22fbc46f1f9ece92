package io.volantmq.persistence.buffered;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The buffered view of a domain with one value per key and last-writer-wins semantics
 * (sessions by client id, retained messages by topic). The view holds the newest waiting change
 * per key; a change to a key whose change has not been taken by the flusher yet replaces it in
 * place, so only the last value is ever written.
 *
 * @param <V> the stored value
 */
final class BufferedKeyValues<V> {

    /** The backend operations of the domain. */
    interface Backend<V> {
        void put(V value);

        void delete(String key);

        Optional<V> get(String key);

        void forEach(Consumer<V> visitor);
    }

    private static final long KEY_OVERHEAD = 96;

    private final BufferedStore store;
    private final Backend<V> backend;
    private final Function<V, String> keyOf;
    private final ToLongFunction<V> weigher;
    private final String what;
    /** The newest waiting change per key. Guarded by the store's mutex. */
    private final Map<String, SetOp> waiting = new HashMap<>();

    BufferedKeyValues(BufferedStore store, Backend<V> backend, Function<V, String> keyOf, ToLongFunction<V> weigher,
                      String what) {
        this.store = store;
        this.backend = backend;
        this.keyOf = keyOf;
        this.weigher = weigher;
        this.what = what;
    }

    /** Puts {@code value} under {@code key}, or deletes the key when {@code value} is null. */
    void set(String key, V value) {
        long weight = KEY_OVERHEAD + 2L * key.length() + (value == null ? 0 : weigher.applyAsLong(value));
        store.lockForWrite(weight);
        try {
            SetOp op = waiting.get(key);
            if (op != null && op.pending()) {
                op.value = value;
                store.coalesced(op, weight);
                return;
            }
            op = new SetOp(key, value);
            waiting.put(key, op);
            store.append(op, weight);
        } finally {
            store.unlock();
        }
    }

    Optional<V> get(String key) {
        return store.read(() -> {
            SetOp op;
            V value;
            store.mutex.lock();
            try {
                op = waiting.get(key);
                value = op == null ? null : op.value;
            } finally {
                store.mutex.unlock();
            }
            return op != null ? Optional.ofNullable(value) : backend.get(key);
        });
    }

    /** Visits the backend's values that no waiting change touches, then the waiting values. */
    void forEach(Consumer<V> visitor) {
        store.read(() -> {
            Map<String, V> overlay = new HashMap<>();
            store.mutex.lock();
            try {
                waiting.forEach((key, op) -> overlay.put(key, op.value));
            } finally {
                store.mutex.unlock();
            }
            backend.forEach(value -> {
                if (!overlay.containsKey(keyOf.apply(value))) {
                    visitor.accept(value);
                }
            });
            for (V value : overlay.values()) {
                if (value != null) {
                    visitor.accept(value);
                }
            }
            return null;
        });
    }

    /**
     * The backend's count corrected by the waiting changes. Whether the backend has a key is asked
     * once per waiting change and remembered until a write to that key changes the answer.
     */
    long count(LongSupplier backendCount) {
        return store.read(() -> {
            List<SetOp> ops;
            List<Boolean> creates = new ArrayList<>();
            store.mutex.lock();
            try {
                ops = new ArrayList<>(waiting.values());
                for (SetOp op : ops) {
                    creates.add(op.value != null);
                }
            } finally {
                store.mutex.unlock();
            }
            long count = backendCount.getAsLong();
            for (int i = 0; i < ops.size(); i++) {
                SetOp op = ops.get(i);
                Boolean had = op.backendHas;
                if (had == null) {
                    had = backend.get(op.key).isPresent();
                    // the backend cannot change under the read lock, so the answer holds until a write to the key
                    store.mutex.lock();
                    try {
                        if (waiting.get(op.key) == op) {
                            op.backendHas = had;
                        }
                    } finally {
                        store.mutex.unlock();
                    }
                }
                count += (creates.get(i) ? 1 : 0) - (had ? 1 : 0);
            }
            return count;
        });
    }

    /** Sets one key to a value, or deletes it (value null). */
    private final class SetOp extends BufferedOp {
        private final String key;
        /** Changed in place while pending; guarded by the store's mutex. */
        private V value;
        /** Whether the backend had the key before this op; null until asked. Guarded by the mutex. */
        private Boolean backendHas;

        SetOp(String key, V value) {
            this.key = key;
            this.value = value;
        }

        @Override
        void apply() {
            V v = value;
            if (v == null) {
                backend.delete(key);
            } else {
                backend.put(v);
            }
        }

        @Override
        void retire() {
            SetOp newest = waiting.get(key);
            if (newest == this) {
                waiting.remove(key);
            } else if (newest != null) {
                newest.backendHas = null; // this write changed what the backend has under the key
            }
        }

        @Override
        String describe() {
            return (value == null ? "delete " : "put ") + what + " " + key;
        }
    }
}
