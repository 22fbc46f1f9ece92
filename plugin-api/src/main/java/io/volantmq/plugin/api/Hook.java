package io.volantmq.plugin.api;

/**
 * What every interceptor and authorizer says about itself. A hook that answers {@link #nonBlocking()}
 * {@code true} runs on the connection's event loop and must return at once (no I/O, no locks held
 * long); otherwise it runs on the plugin's executor and the broker waits for it at most
 * {@code volantmq.plugins.timeoutMillis}, then applies {@code volantmq.plugins.failureAction}.
 */
public interface Hook {

    /** Whether this hook returns without blocking; default false (the safe answer). */
    default boolean nonBlocking() {
        return false;
    }
}
