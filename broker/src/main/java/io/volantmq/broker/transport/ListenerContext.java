package io.volantmq.broker.transport;

import io.volantmq.broker.auth.Authenticator;

import java.net.URI;

/** What a connection knows of the listener it arrived on. */
public record ListenerContext(URI uri, Authenticator authenticator) {
}
