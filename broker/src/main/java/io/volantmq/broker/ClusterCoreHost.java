package io.volantmq.broker;

import io.volantmq.broker.cluster.ClusterHost;
import io.volantmq.broker.cluster.SharePlacement;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The core's {@link ClusterHost}: the registry, the router and the store of one wired broker. */
final class ClusterCoreHost implements ClusterHost {
    private final BrokerContext context;
    private final Store backend;

    ClusterCoreHost(BrokerContext context, Store backend) {
        this.context = context;
        this.backend = backend;
    }

    @Override
    public Store backend() {
        return backend;
    }

    @Override
    public String nodeName() {
        return context.config().nodeName();
    }

    @Override
    public void publishForwarded(String originClientId, Publish publish) {
        context.router().publishForwarded(originClientId, publish);
    }

    @Override
    public void publishForwarded(String originClientId, Publish publish, SharePlacement shares) {
        context.router().publishForwarded(originClientId, publish, shares);
    }

    @Override
    public void publishForwarded(String originClientId, Publish publish, SharePlacement shares,
                                 java.util.Set<String> except) {
        context.router().publishForwarded(originClientId, publish, shares, except);
    }

    @Override
    public java.util.List<Runnable> holdingBackHeapWrites(Runnable routing) {
        return context.router().holdingBackHeapWrites(routing);
    }

    @Override
    public void publishForwardedTo(String originClientId, Publish publish, java.util.Set<String> clientIds) {
        context.router().publishForwardedTo(originClientId, publish, clientIds);
    }

    @Override
    public boolean subscribes(String clientId, String topic) {
        return context.router().subscribes(clientId, topic);
    }

    @Override
    public java.util.List<String> plainSubscribers(String topic) {
        return context.router().plainSubscribers(topic);
    }

    @Override
    public boolean knows(String clientId) {
        return context.sessions().get(clientId) != null;
    }

    @Override
    public java.util.List<String> plainFilters(String clientId) {
        try {
            io.volantmq.broker.session.SessionRegistry.ClientView view = context.sessions().view(clientId)
                    .get(2, java.util.concurrent.TimeUnit.SECONDS);
            return view == null ? java.util.List.of() : view.subscriptions().entrySet().stream()
                    .filter(s -> !s.getValue().shared()).map(java.util.Map.Entry::getKey).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.List.of();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return java.util.List.of(); // the broker is stopping
        }
    }

    @Override
    public CompletableFuture<Object> release(String clientId) {
        return context.sessions().release(clientId);
    }

    @Override
    public void load(String clientId) {
        context.sessions().load(clientId);
    }

    @Override
    public void adopt(String clientId, StoredMessage will, long willDelaySeconds) {
        context.sessions().adopt(clientId, will, willDelaySeconds);
    }

    @Override
    public void disconnectAll(String reason) {
        try {
            // bounded: a connection whose event loop is stuck must not keep the node from rejoining
            context.sessions().disconnectAll(reason).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("disconnecting every client: " + e, e);
        }
    }

    @Override
    public void sync() {
        if (context.groupCommit() != null) {
            context.store().sync();
        }
    }
}
