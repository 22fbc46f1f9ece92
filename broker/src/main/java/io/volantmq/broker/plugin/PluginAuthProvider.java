package io.volantmq.broker.plugin;

import io.volantmq.broker.PluginMessages;
import io.volantmq.broker.auth.AuthCheck;
import io.volantmq.broker.auth.AuthProvider;
import io.volantmq.broker.auth.AuthProviderConfig;
import io.volantmq.broker.auth.AuthRequest;
import io.volantmq.broker.auth.AuthResult;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.plugin.api.AuthenticationRequest;
import io.volantmq.plugin.api.AuthenticationResult;
import io.volantmq.plugin.api.Authenticator;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A plugin's authenticator as an auth provider of a listener's chain. A stage that fails or is late
 * refuses the client with 0x88 Server unavailable (authentication fails closed), counted and logged as
 * any plugin failure.
 */
final class PluginAuthProvider implements AuthProvider {
    private final String name;
    private final PluginRuntime plugin;
    private final Authenticator authenticator;
    private final long timeoutMillis;

    PluginAuthProvider(String name, PluginRuntime plugin, Authenticator authenticator, long timeoutMillis) {
        this.name = name;
        this.plugin = plugin;
        this.authenticator = authenticator;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AuthCheck create(AuthProviderConfig config) {
        return this::check;
    }

    private CompletionStage<Optional<AuthResult>> check(AuthRequest request) {
        AuthenticationRequest asked = new AuthenticationRequest(request.listener(), request.clientId(),
                request.username(), request.password(), PluginMessages.address(request.remoteAddress()),
                request.version().level());
        CompletableFuture<AuthenticationResult> answer;
        try {
            CompletionStage<AuthenticationResult> stage = authenticator.authenticate(asked);
            answer = stage == null ? CompletableFuture.failedFuture(new NullPointerException("authenticate returned null"))
                    : stage.toCompletableFuture();
        } catch (Throwable t) {
            answer = CompletableFuture.failedFuture(t);
        }
        // a copy: orTimeout completes the future it is called on, which may be the plugin's own
        return answer.thenApply(r -> r).orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).handle((result, error) -> {
            if (error != null || result == null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                plugin.failed("authenticate", cause instanceof TimeoutException ? "timeout" : "exception",
                        cause instanceof TimeoutException ? null : cause);
                return Optional.of(AuthResult.deny(ReasonCode.SERVER_UNAVAILABLE,
                        "auth provider '" + name + "' (plugin " + plugin.id() + ") failed"));
            }
            return switch (result.outcome()) {
                case ALLOW -> Optional.of(result.username() == null ? AuthResult.allow()
                        : AuthResult.allowAs(result.username()));
                case DENY -> Optional.of(AuthResult.deny(result.reasonCode() >= 0x80 ? result.reasonCode()
                        : ReasonCode.NOT_AUTHORIZED, result.reason()));
                case NEXT -> Optional.empty();
            };
        });
    }
}
