package io.volantmq.broker.transport;

import io.volantmq.broker.auth.Authenticator;

import java.net.URI;

/**
 * What a connection knows of the listener it arrived on.
 *
 * @param maxPacketSize the largest packet this listener accepts (announced to MQTT 5 clients)
 */
public record ListenerContext(URI uri, Authenticator authenticator, int maxPacketSize) {
}
