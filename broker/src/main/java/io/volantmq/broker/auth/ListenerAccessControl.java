package io.volantmq.broker.auth;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The authorization chain of the listener a client came in on ({@code acl=} on the listener), found by the
 * listener of its identity; clients of a listener that names none, and identities without a listener (a
 * will going out for a session restored from the store), get the broker-wide chain.
 */
public final class ListenerAccessControl implements AccessControl {
    private final AccessControl fallback;
    private final Map<String, AccessControl> byListener;
    private final boolean mayBlock;

    /** {@code byListener}: chain by listener address as {@link ClientIdentity#listener()} carries it. */
    public ListenerAccessControl(AccessControl fallback, Map<String, AccessControl> byListener) {
        this.fallback = fallback;
        this.byListener = Map.copyOf(byListener);
        this.mayBlock = fallback.mayBlock() || this.byListener.values().stream().anyMatch(AccessControl::mayBlock);
    }

    /** The broker-wide chain itself when no listener names its own: nothing in between on the hot path. */
    public static AccessControl of(AccessControl fallback, Map<String, AccessControl> byListener) {
        return byListener.isEmpty() ? fallback : new ListenerAccessControl(fallback, byListener);
    }

    private AccessControl of(ClientIdentity client) {
        String listener = client == null ? null : client.listener();
        AccessControl chain = listener == null ? null : byListener.get(listener);
        return chain == null ? fallback : chain;
    }

    @Override
    public boolean mayPublish(ClientIdentity client, String topic) {
        return of(client).mayPublish(client, topic);
    }

    @Override
    public boolean maySubscribe(ClientIdentity client, String filter) {
        return of(client).maySubscribe(client, filter);
    }

    @Override
    public boolean mayReceive(ClientIdentity client, String topic) {
        return of(client).mayReceive(client, topic);
    }

    @Override
    public boolean mayWill(ClientIdentity client, String topic) {
        return of(client).mayWill(client, topic);
    }

    @Override
    public boolean mayBlock() {
        return mayBlock;
    }

    @Override
    public CompletionStage<Boolean> mayPublishAsync(ClientIdentity client, String topic) {
        return of(client).mayPublishAsync(client, topic);
    }

    @Override
    public CompletionStage<Boolean> maySubscribeAsync(ClientIdentity client, String filter) {
        return of(client).maySubscribeAsync(client, filter);
    }

    @Override
    public CompletionStage<Boolean> mayWillAsync(ClientIdentity client, String topic) {
        return of(client).mayWillAsync(client, topic);
    }
}
