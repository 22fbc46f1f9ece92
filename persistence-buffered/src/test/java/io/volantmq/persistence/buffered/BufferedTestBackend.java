package io.volantmq.persistence.buffered;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.SubscriptionStore;
import io.volantmq.persistence.memory.MemoryProvider;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * The backend of the focused BufferedStore tests: the real memory store, seen through a recorder
 * that journals every write call in order and can make calls fail or block on demand (a
 * dependency standing in for a disk that fills up or a server that goes away).
 */
final class BufferedTestBackend implements Store {
    private static final Set<String> WRITES = Set.of("put", "delete", "deleteAll", "enqueue", "updateInflight", "remove",
            "clear", "addIncomingQos2", "removeIncomingQos2");

    /** One call that reached the backend: {@code sessions.put}, {@code messages.enqueue}, ... with its arguments. */
    record Call(String domain, String method, List<Object> args) {
        String name() {
            return domain + "." + method;
        }

        @Override
        public String toString() {
            return name() + args;
        }
    }

    private final Store memory = new MemoryProvider().open(new ProviderConfig(MemoryProvider.NAME, Map.of()));
    private final List<Call> writes = Collections.synchronizedList(new ArrayList<>());
    private final SessionStore sessions = record("sessions", SessionStore.class, memory.sessions());
    private final SubscriptionStore subscriptions = record("subscriptions", SubscriptionStore.class, memory.subscriptions());
    private final RetainedStore retained = record("retained", RetainedStore.class, memory.retained());
    private final MessageStore messages = record("messages", MessageStore.class, memory.messages());
    private volatile Predicate<Call> failWhen = call -> false;
    /** Writes take a permit each while {@link #gated} is set. */
    private final Semaphore gate = new Semaphore(0);
    private volatile boolean gated;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Every write that succeeded, in order. */
    List<Call> writes() {
        synchronized (writes) {
            return List.copyOf(writes);
        }
    }

    List<String> writeNames() {
        return writes().stream().map(Call::name).toList();
    }

    void clearJournal() {
        writes.clear();
    }

    /** Calls for which {@code condition} holds throw a PersistenceException (and change nothing). */
    void failWhen(Predicate<Call> condition) {
        failWhen = condition;
    }

    void failWrites(boolean failing) {
        failWhen = failing ? BufferedTestBackend::isWrite : call -> false;
    }

    static boolean isWrite(Call call) {
        return WRITES.contains(call.method());
    }

    /** True on the flusher thread of a BufferedStore. */
    static boolean onFlusher() {
        return Thread.currentThread().getName().startsWith("volantmq-store-flusher");
    }

    /** From now on each write waits for a permit from {@link #release}. */
    void hold() {
        gated = true;
    }

    void release(int permits) {
        gate.release(permits);
    }

    void open() {
        gated = false;
        gate.release(Integer.MAX_VALUE / 2);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** The memory store underneath, to set up or inspect state without going through the recorder. */
    Store direct() {
        return memory;
    }

    private <T> T record(String domain, Class<T> type, T target) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.invoke(target, args);
            }
            Call call = new Call(domain, method.getName(), args == null ? List.of() : Arrays.asList(args));
            boolean write = WRITES.contains(method.getName());
            if (write && gated) {
                gate.acquireUninterruptibly();
            }
            if (failWhen.test(call)) {
                throw new PersistenceException("test backend refuses " + call.name());
            }
            try {
                Object result = method.invoke(target, args);
                if (write) {
                    writes.add(call);
                }
                return result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
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
    public int maxConcurrency() {
        return 4;
    }

    @Override
    public void close() {
        closed.set(true);
        memory.close();
    }
}
