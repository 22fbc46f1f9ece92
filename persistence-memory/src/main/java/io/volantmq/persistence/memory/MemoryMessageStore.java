package io.volantmq.persistence.memory;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Queues on the heap. A message fanned out to many queues is one shared {@link StoredMessage}
 * object. Sequence numbers come from one store-wide counter so that a queue removed by
 * {@link #clear} and created again never reuses a number.
 */
final class MemoryMessageStore implements MessageStore {
    private final Map<String, ClientQueue> queues = new ConcurrentHashMap<>();
    private final AtomicLong nextSeq = new AtomicLong(1);

    /** One client's entries in seq order, guarded by its own monitor. */
    private static final class ClientQueue {
        final TreeMap<Long, QueuedMessage> entries = new TreeMap<>();
        /** Made on first use and dropped when empty: most clients never publish QoS 2 (a HashSet is 64+ bytes). */
        Set<Integer> incomingQos2;
        long payloadBytes;
    }

    private ClientQueue queue(String clientId) {
        return queues.computeIfAbsent(clientId, id -> new ClientQueue());
    }

    @Override
    public void enqueue(StoredMessage message, List<QueueTarget> targets) {
        for (QueueTarget target : targets) {
            ClientQueue queue = queue(target.clientId());
            synchronized (queue) {
                long seq = nextSeq.getAndIncrement();
                queue.entries.put(seq, new QueuedMessage(seq, message, target.qos(), target.retain(),
                        target.subscriptionIds(), 0, InflightState.QUEUED));
                queue.payloadBytes += message.payload().length;
            }
        }
    }

    @Override
    public List<QueuedMessage> read(String clientId, long afterSeq, int max) {
        ClientQueue queue = queues.get(clientId);
        if (queue == null || max <= 0) {
            return List.of();
        }
        synchronized (queue) {
            List<QueuedMessage> result = new ArrayList<>(Math.min(max, queue.entries.size()));
            for (QueuedMessage entry : queue.entries.tailMap(afterSeq, false).values()) {
                result.add(entry);
                if (result.size() == max) {
                    break;
                }
            }
            return result;
        }
    }

    @Override
    public void updateInflight(String clientId, long seq, int packetId, InflightState state) {
        ClientQueue queue = queues.get(clientId);
        if (queue == null) {
            return;
        }
        synchronized (queue) {
            QueuedMessage entry = queue.entries.get(seq);
            if (entry != null) {
                queue.entries.put(seq, new QueuedMessage(seq, entry.message(), entry.qos(), entry.retain(),
                        entry.subscriptionIds(), packetId, state));
            }
        }
    }

    @Override
    public void remove(String clientId, long seq) {
        ClientQueue queue = queues.get(clientId);
        if (queue == null) {
            return;
        }
        synchronized (queue) {
            QueuedMessage removed = queue.entries.remove(seq);
            if (removed != null) {
                queue.payloadBytes -= removed.message().payload().length;
            }
        }
    }

    @Override
    public void clear(String clientId) {
        queues.remove(clientId);
    }

    @Override
    public QueueStats stats(String clientId) {
        ClientQueue queue = queues.get(clientId);
        if (queue == null) {
            return QueueStats.EMPTY;
        }
        synchronized (queue) {
            return new QueueStats(queue.entries.size(), queue.payloadBytes);
        }
    }

    @Override
    public void addIncomingQos2(String clientId, int packetId) {
        ClientQueue queue = queue(clientId);
        synchronized (queue) {
            if (queue.incomingQos2 == null) {
                queue.incomingQos2 = new HashSet<>();
            }
            queue.incomingQos2.add(packetId);
        }
    }

    @Override
    public void removeIncomingQos2(String clientId, int packetId) {
        ClientQueue queue = queues.get(clientId);
        if (queue == null) {
            return;
        }
        synchronized (queue) {
            if (queue.incomingQos2 != null && queue.incomingQos2.remove(packetId) && queue.incomingQos2.isEmpty()) {
                queue.incomingQos2 = null;
            }
        }
    }

    @Override
    public Set<Integer> incomingQos2(String clientId) {
        ClientQueue queue = queues.get(clientId);
        if (queue == null) {
            return Set.of();
        }
        synchronized (queue) {
            return queue.incomingQos2 == null ? Set.of() : Set.copyOf(queue.incomingQos2);
        }
    }
}
