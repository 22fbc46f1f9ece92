package io.volantmq.broker;

import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.plugin.api.ConnectResult;
import io.volantmq.plugin.api.InterceptResult;
import io.volantmq.plugin.api.Message;
import io.volantmq.plugin.api.SubscribeResult;
import io.volantmq.plugin.api.UserProperty;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The plugin hooks a connection's flows call (implemented by {@code plugin.PluginHost}). On every hot path
 * the flow asks {@code hasX()} first: without plugins that is a field read, and nothing is allocated.
 */
public interface PluginHooks {

    boolean hasPublishInterceptors();

    /** The inbound PUBLISH interceptors in order: continue, the changed message, or a drop. */
    InterceptResult onPublish(ClientIdentity publisher, Message message);

    /**
     * True when an inbound PUBLISH interceptor may block: the flow then asks {@link #onPublishAsync} and the
     * connection stops reading until the answer is in, instead of its event loop waiting.
     */
    default boolean publishMayBlock() {
        return false;
    }

    /** {@link #onPublish} without waiting for a blocking interceptor; never completes exceptionally. */
    default CompletionStage<InterceptResult> onPublishAsync(ClientIdentity publisher, Message message) {
        return CompletableFuture.completedFuture(onPublish(publisher, message));
    }

    boolean hasSubscribeInterceptors();

    /** As {@link #publishMayBlock} for SUBSCRIBE interceptors. */
    default boolean subscribeMayBlock() {
        return false;
    }

    /** {@link #onSubscribe} without waiting for a blocking interceptor; never completes exceptionally. */
    default CompletionStage<SubscribeResult> onSubscribeAsync(ClientIdentity subscriber, String filter, int qos) {
        return CompletableFuture.completedFuture(onSubscribe(subscriber, filter, qos));
    }

    /** The SUBSCRIBE interceptors in order for one filter. */
    SubscribeResult onSubscribe(ClientIdentity subscriber, String filter, int qos);

    boolean hasConnectInterceptors();

    /** The CONNECT interceptors in order. */
    ConnectResult onConnect(ClientIdentity client, List<UserProperty> connectProperties);

    /** As {@link #publishMayBlock} for CONNECT interceptors. */
    default boolean connectMayBlock() {
        return false;
    }

    /** {@link #onConnect} without waiting for a blocking interceptor; never completes exceptionally. */
    default CompletionStage<ConnectResult> onConnectAsync(ClientIdentity client, List<UserProperty> connectProperties) {
        return CompletableFuture.completedFuture(onConnect(client, connectProperties));
    }

    void connected(ClientIdentity client);

    void disconnected(ClientIdentity client, String reason);

    void subscribed(ClientIdentity client, String filter, int qos);

    void unsubscribed(ClientIdentity client, String filter);

    void messageDropped(String clientId, String topic, String reason);
}
