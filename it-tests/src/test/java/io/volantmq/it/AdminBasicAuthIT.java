package io.volantmq.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admin Basic credentials checked by a slow provider ({@link HeldAuthProvider}): the checks run off
 * the admin thread, so {@code /health} and token calls answer while they are in progress; only a
 * bounded number run at once, the rest are told to come back (503).
 */
class AdminBasicAuthIT {
    private BrokerFixture broker;
    private HttpClient http;
    private String base;

    @BeforeEach
    void start() {
        HeldAuthProvider.release = new CountDownLatch(1);
        broker = BrokerFixture.start(b -> b.setting("adminAddr", "127.0.0.1:0").setting("adminAuth", "held")
                .setting("adminUsers", "alice").setting("adminToken", "tok")
                .setting("auth.threads", "2")); // both checks run at once, on a 1- or 2-core machine too
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
        base = "http://127.0.0.1:" + broker.broker().adminAddress().getPort();
    }

    @AfterEach
    void stop() {
        HeldAuthProvider.release.countDown();
        broker.close();
    }

    private HttpRequest get(String path, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b.build();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void healthAndTokenCallsAnswerWhilePasswordChecksAreInProgress() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        slow.add(http.sendAsync(get("/api/clients", basic("alice", "right")), HttpResponse.BodyHandlers.ofString()));
        slow.add(http.sendAsync(get("/api/clients", basic("alice", "wrong")), HttpResponse.BodyHandlers.ofString()));
        await().atMost(Duration.ofSeconds(10)).until(() -> HeldAuthProvider.IN_PROGRESS.get() == 2);

        // both checks are still held: the admin endpoint answers everyone else meanwhile
        HttpResponse<String> health = http.send(get("/health", null), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(http.send(get("/metrics", null), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
        assertThat(http.send(get("/api/clients", "Bearer tok"), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
        // a third check would exceed the bound: told to come back, without running
        HttpResponse<String> busy = http.send(get("/api/clients", basic("alice", "other")),
                HttpResponse.BodyHandlers.ofString());
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.headers().firstValue("retry-after")).hasValue("1");
        assertThat(HeldAuthProvider.IN_PROGRESS.get()).isEqualTo(2);
        assertThat(slow).noneMatch(CompletableFuture::isDone);

        HeldAuthProvider.release.countDown();
        assertThat(slow.get(0).get().statusCode()).isEqualTo(200);
        assertThat(slow.get(1).get().statusCode()).isEqualTo(401);
        // the slots are free again; the right password is remembered and needs no check
        assertThat(http.send(get("/api/clients", basic("alice", "right")), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
    }
}
