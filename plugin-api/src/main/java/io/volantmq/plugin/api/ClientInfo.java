package io.volantmq.plugin.api;

/**
 * A connected (or connecting) client as authentication established it.
 *
 * @param clientId      the client identifier (the assigned one when the client sent none)
 * @param username      the authenticated user name, or null
 * @param listener      the listener it connected through, as configured ({@code tcp://0.0.0.0:1883})
 * @param remoteAddress the peer, {@code host:port}
 */
public record ClientInfo(String clientId, String username, String listener, String remoteAddress) {
}
