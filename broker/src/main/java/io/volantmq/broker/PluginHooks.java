package io.volantmq.broker;

import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.plugin.api.ConnectResult;
import io.volantmq.plugin.api.InterceptResult;
import io.volantmq.plugin.api.Message;
import io.volantmq.plugin.api.SubscribeResult;
import io.volantmq.plugin.api.UserProperty;

import java.util.List;

/**
 * The plugin hooks a connection's flows call (implemented by {@code plugin.PluginHost}). On every hot path
 * the flow asks {@code hasX()} first: without plugins that is a field read, and nothing is allocated.
 */
public interface PluginHooks {

    boolean hasPublishInterceptors();

    /** The inbound PUBLISH interceptors in order: continue, the changed message, or a drop. */
    InterceptResult onPublish(ClientIdentity publisher, Message message);

    boolean hasSubscribeInterceptors();

    /** The SUBSCRIBE interceptors in order for one filter. */
    SubscribeResult onSubscribe(ClientIdentity subscriber, String filter, int qos);

    boolean hasConnectInterceptors();

    /** The CONNECT interceptors in order. */
    ConnectResult onConnect(ClientIdentity client, List<UserProperty> connectProperties);

    void connected(ClientIdentity client);

    void disconnected(ClientIdentity client, String reason);

    void subscribed(ClientIdentity client, String filter, int qos);

    void unsubscribed(ClientIdentity client, String filter);

    void messageDropped(String clientId, String topic, String reason);
}
