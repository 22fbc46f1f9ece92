package io.volantmq.broker.store;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;

import java.util.List;
import java.util.Set;

/** {@link MessageStore} behind the breaker of a {@link GuardedStore}: plain delegation. */
final class GuardedMessageStore implements MessageStore {
    private final GuardedStore guard;
    private final MessageStore target;

    GuardedMessageStore(GuardedStore guard, MessageStore target) {
        this.guard = guard;
        this.target = target;
    }

    @Override
    public void whenVisible(Runnable action) {
        if (!guard.afterHeldBack(action)) {
            target.whenVisible(action);
        }
    }

    @Override
    public void enqueue(StoredMessage message, List<QueueTarget> targets) {
        if (guard.heldBack(message, targets)) {
            return; // a store lane round: written with the round's other appends
        }
        guard.enter();
        try {
            target.enqueue(message, targets);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public void enqueueAll(List<QueueAppend> appends) {
        guard.enter();
        try {
            target.enqueueAll(appends);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public List<QueuedMessage> read(String clientId, long afterSeq, int max) {
        guard.enter();
        List<QueuedMessage> result;
        try {
            result = target.read(clientId, afterSeq, max);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
        return result;
    }

    @Override
    public void updateInflight(String clientId, long seq, int packetId, InflightState state) {
        guard.enter();
        try {
            target.updateInflight(clientId, seq, packetId, state);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public void remove(String clientId, long seq) {
        guard.enter();
        try {
            target.remove(clientId, seq);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public void removeAll(String clientId, long[] seqs, int count) {
        guard.enter();
        try {
            target.removeAll(clientId, seqs, count);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public void clear(String clientId) {
        guard.enter();
        try {
            target.clear(clientId);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public QueueStats stats(String clientId) {
        guard.enter();
        QueueStats result;
        try {
            result = target.stats(clientId);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
        return result;
    }

    @Override
    public void addIncomingQos2(String clientId, int packetId) {
        if (guard.heldBackWrite(() -> target.addIncomingQos2(clientId, packetId))) {
            return; // a store lane round: written after the round's queue appends
        }
        guard.enter();
        try {
            target.addIncomingQos2(clientId, packetId);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public void removeIncomingQos2(String clientId, int packetId) {
        guard.enter();
        try {
            target.removeIncomingQos2(clientId, packetId);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
    }

    @Override
    public Set<Integer> incomingQos2(String clientId) {
        guard.enter();
        Set<Integer> result;
        try {
            result = target.incomingQos2(clientId);
        } catch (PersistenceException e) {
            throw guard.failed(e);
        }
        guard.succeeded();
        return result;
    }
}
