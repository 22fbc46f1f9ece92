package io.volantmq.broker.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a CONNECT may proceed. One per listener (a chain of providers behind it).
 * Asynchronous because real checks are slow on purpose (password hashing) or remote: the broker
 * never blocks an event loop on them.
 */
@FunctionalInterface
public interface Authenticator {

    CompletionStage<AuthResult> authenticate(AuthRequest request);

    /** Lets everyone in: the default of a listener without providers. */
    Authenticator ALLOW_ALL = request -> CompletableFuture.completedFuture(AuthResult.allow());
}
