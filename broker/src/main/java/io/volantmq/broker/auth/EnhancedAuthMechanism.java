package io.volantmq.broker.auth;

/**
 * An MQTT 5 enhanced authentication method (spec 4.12), e.g. {@code SCRAM-SHA-256}: the CONNECT's
 * Authentication Method names it, and its exchange runs over CONNECT/AUTH/CONNACK.
 */
public interface EnhancedAuthMechanism {

    /** The Authentication Method value this mechanism answers to. */
    String method();

    /** A new exchange for one connection (or one re-authentication). */
    EnhancedAuthExchange start(AuthRequest request);
}
