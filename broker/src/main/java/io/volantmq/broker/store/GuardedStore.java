package io.volantmq.broker.store;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoreHealth;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.SubscriptionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A circuit breaker in front of a durable store. After a failure (Redis gone, disk full) every call
 * fails at once with a {@link PersistenceException} for {@code retryMillis}, instead of holding an
 * event loop for a network timeout each time; then one call is let through to probe. The broker
 * turns those failures into refusals (no acknowledgement it cannot make durable), and the state
 * is visible as {@link #health()}.
 */
public final class GuardedStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(GuardedStore.class);

    private final Store delegate;
    private final String name;
    private final long retryMillis;
    private final SessionStore sessions;
    private final SubscriptionStore subscriptions;
    private final RetainedStore retained;
    private final MessageStore messages;
    private final AtomicLong failedCalls = new AtomicLong();
    private volatile boolean failing;
    private volatile long retryAt;
    private volatile long since = System.currentTimeMillis();
    private volatile String lastError;

    public GuardedStore(Store delegate, String name, long retryMillis) {
        this.delegate = delegate;
        this.name = name;
        this.retryMillis = retryMillis;
        this.sessions = new GuardedSessionStore(this, delegate.sessions());
        this.subscriptions = new GuardedSubscriptionStore(this, delegate.subscriptions());
        this.retained = new GuardedRetainedStore(this, delegate.retained());
        this.messages = new GuardedMessageStore(this, delegate.messages());
    }

    /*
     * The sub-store wrappers call these three around each delegated call: enter() before (fails
     * fast while the breaker is open and no probe is due), succeeded() after a normal return,
     * failed(e) when the backend threw a PersistenceException. No lambda, no reflection: a durable
     * QoS 1 publish goes through here several times.
     */

    /** Queue appends held back on a thread inside {@link #gatherAppends}; absent elsewhere. */
    private final ThreadLocal<Gathered> gathered = new ThreadLocal<>();

    /**
     * The writes held back on one thread, in the order they were made: queue appends ({@link QueueAppend}) and
     * inbound QoS 2 ids ({@link Runnable}, the backend call), and the actions that wait until they are visible.
     */
    private static final class Gathered {
        final List<Object> writes = new ArrayList<>();
        final List<Runnable> whenVisible = new ArrayList<>();
        boolean failed;
    }

    /**
     * Starts holding back this thread's queue appends (and the inbound QoS 2 ids among them): they reach the
     * backend in one {@link MessageStore#enqueueAll} (then the ids) when this thread makes any other store call
     * or calls {@link #appendGathered()}, so every other store call sees the changes made before it.
     */
    public void gatherAppends() {
        gathered.set(new Gathered());
    }

    /**
     * Writes what this thread held back and stops holding back. False when a write of what was held back
     * since {@link #gatherAppends()} failed: none of it may be acknowledged.
     */
    public boolean appendGathered() {
        Gathered g = gathered.get();
        if (g == null) {
            return true;
        }
        writeGathered(g);
        gathered.remove();
        return !g.failed;
    }

    /** True when {@code message} was held back for this thread's next gathered write. */
    boolean heldBack(StoredMessage message, List<QueueTarget> targets) {
        return holdBack(new QueueAppend(message, targets));
    }

    /**
     * True when {@code write} (an inbound QoS 2 id) was held back with the appends: a PUBLISH's id is written
     * after its queue entries, never ahead of them (see {@link #writeGathered}).
     */
    boolean heldBackWrite(Runnable write) {
        return holdBack(write);
    }

    private boolean holdBack(Object write) {
        Gathered g = gathered.get();
        if (g == null) {
            return false;
        }
        g.writes.add(write);
        return true;
    }

    /** True when {@code action} waits for this thread's held-back writes. */
    boolean afterHeldBack(Runnable action) {
        Gathered g = gathered.get();
        if (g == null || g.writes.isEmpty()) {
            return false;
        }
        g.whenVisible.add(action);
        return true;
    }

    /**
     * Writes what this thread held back: every queue append in one {@link MessageStore#enqueueAll}, then the
     * inbound QoS 2 ids among them. An id goes after its entries: killed in between, the broker keeps entries
     * without their id, and the client's resend (no PUBREC came) is routed again, a QoS 2 duplicate; the other
     * order would keep the id without its entries, and the resend would be taken for a duplicate and never
     * routed: the message lost. A failed append write writes no id.
     */
    private void writeGathered(Gathered g) {
        if (g.writes.isEmpty()) {
            return;
        }
        List<QueueAppend> appends = new ArrayList<>();
        List<Runnable> ids = new ArrayList<>();
        for (Object write : g.writes) {
            if (write instanceof QueueAppend append) {
                appends.add(append);
            } else {
                ids.add((Runnable) write);
            }
        }
        List<Runnable> actions = List.copyOf(g.whenVisible);
        g.writes.clear(); // before the write: it enters this guard again
        g.whenVisible.clear();
        if (g.failed) {
            return; // after a failed write nothing more of the round is written: it is not acknowledged
        }
        // one unit: a store that groups writes (Redis) wakes the subscribers once the round's sync has sent the
        // entries, so their reads need not send (and wait for) the round's writes themselves
        write(g, appends.size() + " queue appends", () -> delegate.together(() -> {
            if (!appends.isEmpty()) {
                delegate.messages().enqueueAll(appends);
            }
            for (Runnable action : actions) { // the entries are there: wake their subscribers, whatever the ids do
                try {
                    delegate.messages().whenVisible(action);
                } catch (RuntimeException e) { // a closing event loop: never let it end the lane's thread
                    log.warn("could not wake a subscriber after a store write: {}", e.toString());
                }
            }
        }));
        if (g.failed) {
            return;
        }
        write(g, ids.size() + " inbound QoS 2 ids", () -> ids.forEach(Runnable::run));
    }

    /** One backend write of held-back changes; false (and the round marked failed) when it failed. */
    private boolean write(Gathered g, String what, Runnable write) {
        try {
            enterBreaker();
            write.run();
            succeeded();
            return true;
        } catch (PersistenceException e) {
            failed(e);
            g.failed = true;
            log.warn("store write of {} failed, not acknowledging its round: {}", what, e.getMessage());
        } catch (RuntimeException e) { // a bug: the same, with its stack
            g.failed = true;
            log.error("store write of {} failed, not acknowledging its round", what, e);
        }
        return false;
    }

    /**
     * Fails fast while the store is failing and not yet due for a probe. Writes first what this
     * thread held back, so every store call sees the appends made before it.
     */
    void enter() {
        Gathered g = gathered.get();
        if (g != null) {
            writeGathered(g);
        }
        enterBreaker();
    }

    private void enterBreaker() {
        if (failing && System.currentTimeMillis() < retryAt) {
            failedCalls.incrementAndGet();
            throw new PersistenceException("store '" + name + "' unavailable: " + lastError);
        }
    }

    /** After a call returned normally: closes the breaker if it was open. */
    void succeeded() {
        if (failing) {
            recovered();
        }
    }

    /** Records the backend failure and hands it back for the caller to rethrow. */
    PersistenceException failed(PersistenceException e) {
        recordFailure(e);
        return e;
    }

    private synchronized void recordFailure(PersistenceException e) {
        failedCalls.incrementAndGet();
        lastError = e.getMessage();
        retryAt = System.currentTimeMillis() + retryMillis;
        if (!failing) {
            failing = true;
            since = System.currentTimeMillis();
            log.error("store '{}' is failing: {}; refusing QoS 1/2 acknowledgements until it answers again",
                    name, e.getMessage());
        }
    }

    private synchronized void recovered() {
        if (failing) {
            failing = false;
            since = System.currentTimeMillis();
            log.info("store '{}' answers again after {} failed calls", name, failedCalls.get());
        }
    }

    public StoreHealth health() {
        return new StoreHealth(!failing, lastError, since, failedCalls.get());
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public SubscriptionStore subscriptions() {
        return subscriptions;
    }

    @Override
    public RetainedStore retained() {
        return retained;
    }

    @Override
    public MessageStore messages() {
        return messages;
    }

    @Override
    public Durability durability() {
        return delegate.durability();
    }

    @Override
    public void sync() {
        enter();
        try {
            delegate.sync();
        } catch (PersistenceException e) {
            throw failed(e);
        }
        succeeded();
    }

    @Override
    public void together(Runnable changes) {
        delegate.together(changes); // the sub-store wrappers guard each write made inside
    }

    @Override
    public int maxConcurrency() {
        return delegate.maxConcurrency();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
