package io.volantmq.broker.session;

import io.volantmq.broker.auth.Authenticator;
import io.volantmq.broker.auth.EnhancedAuthMechanism;

import java.net.URI;
import java.util.Map;

/**
 * What a connection knows of the listener it arrived on.
 *
 * @param maxPacketSize  the largest packet this listener accepts (announced to MQTT 5 clients)
 * @param authMechanisms the MQTT 5 enhanced authentication methods this listener allows, by method name
 */
public record ListenerContext(URI uri, Authenticator authenticator, int maxPacketSize,
                              Map<String, EnhancedAuthMechanism> authMechanisms) {

    /** A listener without enhanced authentication. */
    public ListenerContext(URI uri, Authenticator authenticator, int maxPacketSize) {
        this(uri, authenticator, maxPacketSize, Map.of());
    }
}
