package io.volantmq.plugin.api;

/**
 * Broker events; every method has a no-op default. Delivered on the plugin's executor, after the fact:
 * a listener cannot change what happened, nor slow the broker down (events are dropped, and counted,
 * when the plugin's executor queue is full).
 */
public interface BrokerEventListener {

    /** A client connected (its CONNACK was sent). */
    default void onConnected(ClientInfo client) {
    }

    /** A connected client's connection ended, for {@code reason}. */
    default void onDisconnected(ClientInfo client, String reason) {
    }

    /** A topic filter was subscribed at {@code qos}. */
    default void onSubscribed(ClientInfo client, String filter, int qos) {
    }

    /** A topic filter was unsubscribed. */
    default void onUnsubscribed(ClientInfo client, String filter) {
    }

    /** A message was not delivered: dropped by an interceptor, or refused by a full queue. */
    default void onMessageDropped(String clientId, String topic, String reason) {
    }

    /** An offline session expired and was removed. */
    default void onSessionExpired(String clientId) {
    }
}
