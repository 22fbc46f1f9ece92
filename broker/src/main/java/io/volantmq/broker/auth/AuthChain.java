package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ReasonCode;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A listener's providers in order: the first definite answer (allow or deny) wins; when every
 * provider abstains the client is refused, with "bad user name or password" if it sent credentials
 * and "not authorized" otherwise (3.1.1 CONNACK 0x04 / 0x05).
 */
public final class AuthChain implements Authenticator, AutoCloseable {
    private final List<String> names;
    private final List<AuthCheck> checks;

    /** @param names the providers' names, for log lines; same order as {@code checks} */
    public AuthChain(List<String> names, List<AuthCheck> checks) {
        if (names.size() != checks.size() || checks.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least one check, and one name per check");
        }
        this.names = List.copyOf(names);
        this.checks = List.copyOf(checks);
    }

    public List<String> names() {
        return names;
    }

    @Override
    public CompletionStage<AuthResult> authenticate(AuthRequest request) {
        return ask(0, request);
    }

    private CompletionStage<AuthResult> ask(int index, AuthRequest request) {
        if (index == checks.size()) {
            return CompletableFuture.completedFuture(request.username() != null || request.password() != null
                    ? AuthResult.deny(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                            "no provider of " + names + " accepted the credentials")
                    : AuthResult.deny(ReasonCode.NOT_AUTHORIZED,
                            "no provider of " + names + " admits clients without credentials"));
        }
        CompletionStage<Optional<AuthResult>> answer;
        try {
            answer = checks.get(index).check(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "auth provider '" + names.get(index) + "' failed", e));
        }
        return answer.thenCompose(result -> result.isPresent()
                ? CompletableFuture.completedFuture(result.get())
                : ask(index + 1, request));
    }

    @Override
    public void close() {
        for (AuthCheck check : checks) {
            check.close();
        }
    }
}
