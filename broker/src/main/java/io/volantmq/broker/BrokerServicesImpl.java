package io.volantmq.broker;

import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Topics;
import io.volantmq.broker.session.SessionRegistry;
import io.volantmq.plugin.api.BrokerServices;
import io.volantmq.plugin.api.ClientSummary;
import io.volantmq.plugin.api.Message;
import io.volantmq.persistence.StoredMessage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The broker's services over its wired core, for plugins and embedders (issue 12). */
final class BrokerServicesImpl implements BrokerServices {
    /** The origin of messages the broker publishes itself: no client has this id (it is not valid UTF-8 in a CONNECT). */
    private static final String BROKER_ORIGIN = "\u0000volantmq";

    private final BrokerContext context;

    BrokerServicesImpl(BrokerContext context) {
        this.context = context;
    }

    @Override
    public boolean publish(Message message) {
        if (!Topics.isValidTopicName(message.topic())) {
            throw new IllegalArgumentException("not a valid topic name: '" + message.topic() + "'");
        }
        Publish publish = PluginMessages.publish(new Publish(message.topic(), message.qos(), message.retain(), false, 0,
                message.payload(), null), message);
        return context.router().publish(BROKER_ORIGIN, publish).matched();
    }

    @Override
    public List<String> clientIds() {
        return context.sessions().clientIds();
    }

    @Override
    public CompletionStage<ClientSummary> client(String clientId) {
        return context.sessions().view(clientId).thenApply(BrokerServicesImpl::summary);
    }

    private static ClientSummary summary(SessionRegistry.ClientView v) {
        if (v == null) {
            return null;
        }
        Map<String, Integer> subscriptions = new LinkedHashMap<>();
        v.subscriptions().forEach((filter, options) -> subscriptions.put(filter, options.qos()));
        return new ClientSummary(v.clientId(), v.online(), v.username(), v.address(), v.listener(), Map.copyOf(subscriptions));
    }

    @Override
    public boolean disconnect(String clientId, String reason) {
        return context.sessions().kick(clientId, reason == null ? "disconnected by the broker" : reason);
    }

    @Override
    public List<Message> retained(String filter) {
        if (!Topics.isValidFilter(filter)) {
            throw new IllegalArgumentException("not a valid topic filter: '" + filter + "'");
        }
        List<Message> result = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (StoredMessage m : context.retained().match(filter, now)) {
            Publish p = context.messageCodec().retainedForDelivery(m, m.qos(), List.of(), now);
            result.add(PluginMessages.message(p));
        }
        return result;
    }
}
