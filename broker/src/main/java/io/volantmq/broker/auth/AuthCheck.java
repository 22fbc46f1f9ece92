package io.volantmq.broker.auth;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One provider's check of a CONNECT. Answers allow or deny ({@link AuthResult}), or abstains with an
 * empty Optional so the next provider in the chain decides. Must not block the calling thread (an
 * event loop): slow work goes to {@link AuthProviderConfig#slowWork()}.
 */
@FunctionalInterface
public interface AuthCheck extends AutoCloseable {

    CompletionStage<Optional<AuthResult>> check(AuthRequest request);

    /** Releases what the check holds (file watches, connections). */
    @Override
    default void close() {
    }
}
