package io.volantmq.it;

import io.volantmq.broker.auth.AuthCheck;
import io.volantmq.broker.auth.AuthProvider;
import io.volantmq.broker.auth.AuthProviderConfig;
import io.volantmq.broker.auth.AuthResult;
import io.volantmq.broker.protocol.ReasonCode;

import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code held}: a password check that does its work on the executor the broker hands providers for
 * slow work, as a hashing provider does, and does not finish until the test says so; then admits
 * the password "right". Tests see how many checks are in progress.
 */
public final class HeldAuthProvider implements AuthProvider {
    static final AtomicInteger IN_PROGRESS = new AtomicInteger();
    static volatile CountDownLatch release = new CountDownLatch(0);

    @Override
    public String name() {
        return "held";
    }

    @Override
    public AuthCheck create(AuthProviderConfig config) {
        return request -> {
            CompletableFuture<Optional<AuthResult>> answer = new CompletableFuture<>();
            CountDownLatch gate = release;
            try {
                config.slowWork().execute(() -> {
                    IN_PROGRESS.incrementAndGet();
                    try {
                        gate.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        IN_PROGRESS.decrementAndGet();
                    }
                    boolean right = request.password() != null
                            && Arrays.equals(request.password(), "right".getBytes(StandardCharsets.UTF_8));
                    answer.complete(Optional.of(right ? AuthResult.allow()
                            : AuthResult.deny(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong password")));
                });
            } catch (RejectedExecutionException e) {
                answer.complete(Optional.of(AuthResult.deny(ReasonCode.SERVER_BUSY, "busy")));
            }
            return answer;
        };
    }
}
