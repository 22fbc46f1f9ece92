package io.volantmq.broker.auth;

import java.net.SocketAddress;

/**
 * Who a session belongs to, as authentication established it: what ACLs decide on.
 *
 * @param clientId      the client identifier (assigned when the client sent an empty one)
 * @param username      the authenticated user name, or null for anonymous clients
 * @param listener      the listener the client connected through, as configured (e.g. {@code tcp://0.0.0.0:1883})
 * @param remoteAddress the peer address (the real one behind a PROXY-protocol load balancer)
 */
public record ClientIdentity(String clientId, String username, String listener, SocketAddress remoteAddress) {
}
