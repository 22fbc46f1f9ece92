package io.volantmq.broker.session;

import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.Store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** A real store whose message store counts its calls by method name: how many store calls a flow costs. */
final class CountingStore {
    final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    final Store store;

    CountingStore(Store target) {
        MessageStore messages = (MessageStore) Proxy.newProxyInstance(MessageStore.class.getClassLoader(),
                new Class<?>[] {MessageStore.class}, forward(target.messages(), true));
        InvocationHandler storeCalls = (proxy, method, args) -> method.getName().equals("messages")
                ? messages : forward(target, false).invoke(proxy, method, args);
        store = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, storeCalls);
    }

    long count(String method) {
        LongAdder n = calls.get(method);
        return n == null ? 0 : n.sum();
    }

    void reset() {
        calls.clear();
    }

    private InvocationHandler forward(Object target, boolean count) {
        return (proxy, method, args) -> {
            if (count) {
                calls.computeIfAbsent(method.getName(), k -> new LongAdder()).increment();
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
    }
}
