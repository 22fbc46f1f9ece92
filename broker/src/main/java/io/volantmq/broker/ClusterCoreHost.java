package io.volantmq.broker;

import io.volantmq.broker.cluster.ClusterHost;
import io.volantmq.broker.cluster.SharePlacement;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.persistence.StoredMessage;

import java.util.concurrent.CompletableFuture;

/** The core's {@link ClusterHost}: the registry, the router and the store of one wired broker. */
final class ClusterCoreHost implements ClusterHost {
    private final BrokerContext context;

    ClusterCoreHost(BrokerContext context) {
        this.context = context;
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
    public CompletableFuture<Void> release(String clientId) {
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
        context.sessions().disconnectAll(reason);
    }

    @Override
    public void sync() {
        if (context.groupCommit() != null) {
            context.store().sync();
        }
    }
}
