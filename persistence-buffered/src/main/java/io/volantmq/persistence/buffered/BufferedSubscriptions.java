package io.volantmq.persistence.buffered;

import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.SubscriptionStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The subscriptions of a {@link BufferedStore}. A client's list is ordered by first addition, so
 * the view keeps each client's waiting changes as a list and replays it over the backend's list
 * on every read. Coalescing keeps that order: a put of a filter whose put still waits changes
 * that put in place (it keeps its position); a delete drops a waiting put of the filter; a delete
 * of every filter drops all the client's waiting changes.
 */
final class BufferedSubscriptions implements SubscriptionStore {
    private static final long OVERHEAD = 96;

    private enum Kind { PUT, DELETE, DELETE_ALL }

    /** One change as a reader replays it. */
    private record Change(Kind kind, String filter, StoredSubscription subscription) {
    }

    private final BufferedStore store;
    private final SubscriptionStore backend;
    /** Waiting changes per client, in order. Guarded by the store's mutex. */
    private final Map<String, List<SubOp>> waiting = new HashMap<>();

    BufferedSubscriptions(BufferedStore store, SubscriptionStore backend) {
        this.store = store;
        this.backend = backend;
    }

    @Override
    public void put(String clientId, StoredSubscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        long weight = OVERHEAD + 2L * (clientId.length() + subscription.filter().length());
        store.lockForWrite(weight);
        try {
            List<SubOp> ops = waiting.computeIfAbsent(clientId, id -> new ArrayList<>());
            SubOp last = latestFor(ops, subscription.filter());
            if (last != null && last.kind == Kind.PUT && last.pending()) {
                last.subscription = subscription;
                store.coalesced(last, weight);
                return;
            }
            append(ops, new SubOp(clientId, Kind.PUT, subscription.filter(), subscription), weight);
        } finally {
            store.unlock();
        }
    }

    @Override
    public void delete(String clientId, String filter) {
        long weight = OVERHEAD + 2L * (clientId.length() + filter.length());
        store.lockForWrite(weight);
        try {
            List<SubOp> ops = waiting.computeIfAbsent(clientId, id -> new ArrayList<>());
            SubOp last = latestFor(ops, filter);
            if (last != null && last.kind != Kind.PUT) {
                forgetIfIdle(clientId, ops);
                return; // deleted already, by a delete of it or of everything
            }
            if (last != null && last.pending()) {
                ops.remove(last);
                store.cancel(last); // the delete alone leaves the same result
            }
            append(ops, new SubOp(clientId, Kind.DELETE, filter, null), weight);
        } finally {
            store.unlock();
        }
    }

    @Override
    public void deleteAll(String clientId) {
        long weight = OVERHEAD + 2L * clientId.length();
        store.lockForWrite(weight);
        try {
            List<SubOp> ops = waiting.computeIfAbsent(clientId, id -> new ArrayList<>());
            for (SubOp op : List.copyOf(ops)) {
                if (op.pending()) {
                    ops.remove(op);
                    store.cancel(op);
                }
            }
            if (!ops.isEmpty() && ops.get(ops.size() - 1).kind == Kind.DELETE_ALL) {
                return; // the one being written already deletes everything
            }
            append(ops, new SubOp(clientId, Kind.DELETE_ALL, null, null), weight);
        } finally {
            store.unlock();
        }
    }

    @Override
    public List<StoredSubscription> get(String clientId) {
        return store.read(() -> {
            List<Change> changes = snapshot(clientId);
            List<StoredSubscription> stored = backend.get(clientId);
            return changes.isEmpty() ? stored : replay(stored, changes);
        });
    }

    @Override
    public void forEach(BiConsumer<String, StoredSubscription> visitor) {
        store.read(() -> {
            Map<String, List<Change>> changed = new LinkedHashMap<>();
            store.mutex.lock();
            try {
                waiting.forEach((clientId, ops) -> changed.put(clientId, changes(ops)));
            } finally {
                store.mutex.unlock();
            }
            Map<String, List<StoredSubscription>> storedOfChanged = new HashMap<>();
            backend.forEach((clientId, subscription) -> {
                if (changed.containsKey(clientId)) {
                    storedOfChanged.computeIfAbsent(clientId, id -> new ArrayList<>()).add(subscription);
                } else {
                    visitor.accept(clientId, subscription);
                }
            });
            changed.forEach((clientId, changes) -> {
                for (StoredSubscription subscription : replay(storedOfChanged.getOrDefault(clientId, List.of()), changes)) {
                    visitor.accept(clientId, subscription);
                }
            });
            return null;
        });
    }

    private List<Change> snapshot(String clientId) {
        store.mutex.lock();
        try {
            List<SubOp> ops = waiting.get(clientId);
            return ops == null ? List.of() : changes(ops);
        } finally {
            store.mutex.unlock();
        }
    }

    private static List<Change> changes(List<SubOp> ops) {
        List<Change> changes = new ArrayList<>(ops.size());
        for (SubOp op : ops) {
            changes.add(new Change(op.kind, op.filter, op.subscription));
        }
        return changes;
    }

    /** The client's list after the changes: a put replaces in place or appends, as the backend does. */
    private static List<StoredSubscription> replay(List<StoredSubscription> stored, List<Change> changes) {
        LinkedHashMap<String, StoredSubscription> byFilter = new LinkedHashMap<>();
        for (StoredSubscription subscription : stored) {
            byFilter.put(subscription.filter(), subscription);
        }
        for (Change change : changes) {
            switch (change.kind) {
                case PUT -> byFilter.put(change.filter, change.subscription);
                case DELETE -> byFilter.remove(change.filter);
                case DELETE_ALL -> byFilter.clear();
            }
        }
        return new ArrayList<>(byFilter.values());
    }

    /** The newest waiting change that decides whether {@code filter} exists: its put or delete, or a delete of all. */
    private static SubOp latestFor(List<SubOp> ops, String filter) {
        for (int i = ops.size() - 1; i >= 0; i--) {
            SubOp op = ops.get(i);
            if (op.kind == Kind.DELETE_ALL || op.filter.equals(filter)) {
                return op;
            }
        }
        return null;
    }

    private void append(List<SubOp> ops, SubOp op, long weight) {
        ops.add(op);
        store.append(op, weight);
    }

    private void forgetIfIdle(String clientId, List<SubOp> ops) {
        if (ops.isEmpty()) {
            waiting.remove(clientId);
        }
    }

    private final class SubOp extends BufferedOp {
        private final String clientId;
        private final Kind kind;
        private final String filter;
        /** Changed in place while pending (PUT only); guarded by the store's mutex. */
        private StoredSubscription subscription;

        SubOp(String clientId, Kind kind, String filter, StoredSubscription subscription) {
            this.clientId = clientId;
            this.kind = kind;
            this.filter = filter;
            this.subscription = subscription;
        }

        @Override
        void apply() {
            switch (kind) {
                case PUT -> backend.put(clientId, subscription);
                case DELETE -> backend.delete(clientId, filter);
                case DELETE_ALL -> backend.deleteAll(clientId);
            }
        }

        @Override
        void retire() {
            List<SubOp> ops = waiting.get(clientId);
            if (ops != null) {
                ops.remove(this);
                forgetIfIdle(clientId, ops);
            }
        }

        @Override
        String describe() {
            return switch (kind) {
                case PUT -> "subscribe " + clientId + " to " + filter;
                case DELETE -> "unsubscribe " + clientId + " from " + filter;
                case DELETE_ALL -> "unsubscribe " + clientId + " from everything";
            };
        }
    }
}
