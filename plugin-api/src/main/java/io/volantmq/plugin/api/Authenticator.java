package io.volantmq.plugin.api;

import java.util.concurrent.CompletionStage;

/**
 * An authentication provider. Called on the connection's event loop: return at once and complete the
 * stage later (on {@link PluginContext#executor()} for blocking work). A stage that fails, or does not
 * complete within {@code volantmq.plugins.timeoutMillis}, refuses the client with 0x88 Server unavailable.
 */
@FunctionalInterface
public interface Authenticator {

    /** Checks a CONNECT. */
    CompletionStage<AuthenticationResult> authenticate(AuthenticationRequest request);
}
