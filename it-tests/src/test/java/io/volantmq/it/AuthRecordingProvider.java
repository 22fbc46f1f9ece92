package io.volantmq.it;

import io.volantmq.broker.auth.AuthCheck;
import io.volantmq.broker.auth.AuthProvider;
import io.volantmq.broker.auth.AuthProviderConfig;
import io.volantmq.broker.auth.AuthRequest;

import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * An auth provider outside the broker's jar, found through ServiceLoader like a third party's would
 * be ({@code META-INF/services} in this module's test resources): it records every request and
 * abstains, so tests see what the broker told its providers (the client address behind a proxy).
 */
public final class AuthRecordingProvider implements AuthProvider {
    static final BlockingQueue<AuthRequest> REQUESTS = new LinkedBlockingQueue<>();

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public AuthCheck create(AuthProviderConfig config) {
        return request -> {
            REQUESTS.add(request);
            return CompletableFuture.completedFuture(Optional.empty());
        };
    }
}
