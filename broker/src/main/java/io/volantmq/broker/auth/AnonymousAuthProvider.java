package io.volantmq.broker.auth;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code anonymous}: lets clients in without checking anything. With
 * {@code auth.anonymous.onlyWithoutCredentials=true} it admits only clients that sent neither user
 * name nor password and abstains for the others, so a provider after it (or the chain's final
 * refusal) judges them; use that whenever ACL rules name users, since a user name this provider
 * admits is whatever the client claimed.
 */
public final class AnonymousAuthProvider implements AuthProvider {
    private static final CompletableFuture<Optional<AuthResult>> ALLOW =
            CompletableFuture.completedFuture(Optional.of(AuthResult.allow()));
    private static final CompletableFuture<Optional<AuthResult>> ABSTAIN =
            CompletableFuture.completedFuture(Optional.empty());

    @Override
    public String name() {
        return "anonymous";
    }

    @Override
    public AuthCheck create(AuthProviderConfig config) {
        boolean onlyWithout = config.settings().bool(config.key("onlyWithoutCredentials"), false);
        return request -> onlyWithout && (request.username() != null || request.password() != null)
                ? ABSTAIN : ALLOW;
    }
}
