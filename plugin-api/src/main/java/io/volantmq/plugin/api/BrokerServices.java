package io.volantmq.plugin.api;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The broker's services, for plugins ({@link PluginContext#services()}) and embedders
 * ({@code Broker.services()}). Thread-safe; callable from any thread once the broker has started.
 */
public interface BrokerServices {

    /**
     * Publishes {@code message} as the broker: routed to every matching subscriber at the lower of its QoS
     * and theirs, retained when {@code message.retain()} (an empty retained payload clears the topic).
     * Interceptors and ACLs are not applied. Returns whether any subscription matched.
     *
     * @throws IllegalArgumentException for a topic that is not a valid topic name
     */
    boolean publish(Message message);

    /** The client ids of every session, online or not, sorted. */
    List<String> clientIds();

    /** One session, or a stage completed with null when there is none. */
    CompletionStage<ClientSummary> client(String clientId);

    /**
     * Disconnects a connected client (MQTT 5: DISCONNECT 0x98 Administrative action). Returns false when it is
     * not connected. The session stays as its expiry says.
     */
    boolean disconnect(String clientId, String reason);

    /** The retained messages whose topics match {@code filter}. */
    List<Message> retained(String filter);
}
