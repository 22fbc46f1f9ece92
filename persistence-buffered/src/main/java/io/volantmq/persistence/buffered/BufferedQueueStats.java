package io.volantmq.persistence.buffered;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.buffered.BufferedQueueView.Change;
import io.volantmq.persistence.buffered.BufferedQueueView.ClientQueue;

import java.util.ArrayList;
import java.util.List;

/** The queue statistics of a {@link BufferedStore}: the backend's figures corrected by the {@link BufferedQueueView}. */
final class BufferedQueueStats {
    private final BufferedStore store;
    private final MessageStore backend;
    private final BufferedQueueView view;

    BufferedQueueStats(BufferedStore store, MessageStore backend, BufferedQueueView view) {
        this.store = store;
        this.backend = backend;
        this.view = view;
    }

    /**
     * The client's queue size: the backend's count less what waits to be removed or is written but not yet
     * numbered, plus what waits to be enqueued. Sizes of removed entries from before this store was opened
     * are looked up here, once, rather than on the write path.
     */
    QueueStats stats(String clientId) {
        return store.read(() -> {
            ClientQueue queue;
            List<Change> unresolved;
            store.mutex.lock();
            try {
                queue = view.get(clientId);
                unresolved = queue == null ? List.of() : new ArrayList<>(queue.unresolved);
            } finally {
                store.mutex.unlock();
            }
            if (queue == null) {
                return backend.stats(clientId);
            }
            for (Change removal : unresolved) {
                List<QueuedMessage> found = backend.read(clientId, removal.seq - 1, 1);
                int length = !found.isEmpty() && found.get(0).seq() == removal.seq ? found.get(0).message().payload().length : -1;
                store.mutex.lock();
                try {
                    if (queue.unresolved.remove(removal) && length >= 0) {
                        removal.length = length;
                        queue.count(removal);
                    }
                } finally {
                    store.mutex.unlock();
                }
            }
            boolean cleared;
            long pendingCount;
            long pendingBytes;
            long hiddenCount;
            long hiddenBytes;
            store.mutex.lock();
            try {
                cleared = queue.clear != null;
                pendingCount = queue.pendingCount;
                pendingBytes = queue.pendingBytes;
                hiddenCount = queue.removedCount + queue.limboCount;
                hiddenBytes = queue.removedBytes + queue.limboBytes;
            } finally {
                store.mutex.unlock();
            }
            if (cleared) {
                return new QueueStats(pendingCount, pendingBytes);
            }
            QueueStats written = backend.stats(clientId);
            return new QueueStats(Math.max(0, written.messages() - hiddenCount) + pendingCount,
                    Math.max(0, written.payloadBytes() - hiddenBytes) + pendingBytes);
        });
    }
}
