package io.volantmq.broker;

import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.plugin.PluginHost;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.routing.DeliveryHook;
import io.volantmq.plugin.api.InterceptResult;

/** The plugins' outbound interceptors and drop events, where the router hands a message to a subscriber. */
final class PluginDeliveryHook implements DeliveryHook {
    private final PluginHost plugins;

    PluginDeliveryHook(PluginHost plugins) {
        this.plugins = plugins;
    }

    @Override
    public Publish beforeDelivery(ClientIdentity subscriber, Publish publish) {
        if (!plugins.hasOutboundInterceptors()) {
            return publish;
        }
        InterceptResult r = plugins.onDeliver(subscriber, PluginMessages.message(publish));
        return switch (r.action()) {
            case CONTINUE -> publish;
            case MODIFY -> PluginMessages.publish(publish, r.message());
            case DROP -> {
                plugins.messageDropped(subscriber.clientId(), publish.topic(),
                        "outbound interceptor: " + (r.reason() == null ? "dropped" : r.reason()));
                yield null;
            }
        };
    }

    @Override
    public void dropped(String clientId, String topic, String reason) {
        plugins.messageDropped(clientId, topic, reason);
    }
}
