package io.volantmq.broker.store;

import io.volantmq.persistence.StoreHealth;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.SubscriptionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
        this.sessions = guard(SessionStore.class, delegate.sessions());
        this.subscriptions = guard(SubscriptionStore.class, delegate.subscriptions());
        this.retained = guard(RetainedStore.class, delegate.retained());
        this.messages = guard(MessageStore.class, delegate.messages());
    }

    private <T> T guard(Class<T> type, T target) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.invoke(target, args);
            }
            return guarded(() -> {
                try {
                    return method.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    private interface Call<R> {
        R run() throws Throwable;
    }

    /** Fails fast while the store is failing and not yet due for a probe; tracks failure and recovery. */
    private <R> R guarded(Call<R> call) throws Throwable {
        if (failing && System.currentTimeMillis() < retryAt) {
            failedCalls.incrementAndGet();
            throw new PersistenceException("store '" + name + "' unavailable: " + lastError);
        }
        try {
            R result = call.run();
            if (failing) {
                recovered();
            }
            return result;
        } catch (PersistenceException e) {
            failed(e);
            throw e;
        }
    }

    private synchronized void failed(PersistenceException e) {
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
        try {
            guarded(() -> {
                delegate.sync();
                return null;
            });
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new PersistenceException("store '" + name + "': sync failed: " + e, e);
        }
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
