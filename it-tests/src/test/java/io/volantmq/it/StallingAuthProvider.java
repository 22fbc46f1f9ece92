package io.volantmq.it;

import io.volantmq.broker.auth.AuthCheck;
import io.volantmq.broker.auth.AuthProvider;
import io.volantmq.broker.auth.AuthProviderConfig;

import java.util.concurrent.CompletableFuture;

/** An auth provider that never answers, like one whose backend hangs: the CONNECT must still time out. */
public final class StallingAuthProvider implements AuthProvider {
    @Override
    public String name() {
        return "stalling";
    }

    @Override
    public AuthCheck create(AuthProviderConfig config) {
        return request -> new CompletableFuture<>();
    }
}
