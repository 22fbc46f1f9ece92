package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileAuthProviderTest {
    @TempDir
    Path dir;
    private final Reloader reloader = new Reloader(0);
    private final ExecutorService hashing = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() {
        reloader.close();
        hashing.shutdownNow();
    }

    static AuthRequest request(String user, String password) {
        return new AuthRequest("tcp://127.0.0.1:1883", "c1", user,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 4000), List.of(), ProtocolVersion.MQTT_3_1_1);
    }

    private AuthChain chain(Path file, java.util.concurrent.Executor executor) {
        Settings settings = Settings.global(Map.of("auth.file.path", file.toString()));
        return AuthProviders.of(List.of(new FileAuthProvider()))
                .chain(List.of("file"), "listener test", settings, executor, reloader);
    }

    private static AuthResult await(AuthChain chain, AuthRequest request) throws Exception {
        return chain.authenticate(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void knownUsersWithTheirPasswordGetIn() throws Exception {
        Path file = dir.resolve("passwd");
        PasswordFile.empty().with("alice", PasswordHash.create("wonderland", 1_000)).write(file);
        try (AuthChain chain = chain(file, hashing)) {
            assertThat(await(chain, request("alice", "wonderland")).allowed()).isTrue();
            AuthResult wrong = await(chain, request("alice", "wonderlanD"));
            assertThat(wrong.allowed()).isFalse();
            assertThat(wrong.reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
            assertThat(await(chain, request("alice", null)).reasonCode())
                    .isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
            // unknown users and clients without a user name are for the next provider; with none: refused
            assertThat(await(chain, request("mallory", "x")).reasonCode())
                    .isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
            assertThat(await(chain, request(null, null)).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        }
    }

    @Test
    void aChangedFileIsReloadedAndABrokenOneIgnored() throws Exception {
        Path file = dir.resolve("passwd");
        PasswordFile.empty().with("alice", PasswordHash.create("one", 1_000)).write(file);
        try (AuthChain chain = chain(file, hashing)) {
            assertThat(await(chain, request("bob", "two")).allowed()).isFalse();
            PasswordFile.read(file).with("bob", PasswordHash.create("two", 1_000)).write(file);
            assertThat(reloader.checkNow()).isEqualTo(1);
            assertThat(await(chain, request("bob", "two")).allowed()).isTrue();
            assertThat(await(chain, request("alice", "one")).allowed()).isTrue();

            Files.writeString(file, "bob:$pbkdf2-sha512$broken\n");
            reloader.checkNow();
            assertThat(await(chain, request("bob", "two")).allowed()).as("the last good file stays").isTrue();
        }
    }

    @Test
    void aFullHashingQueueRefusesWithServerBusyInsteadOfQueueingWithoutEnd() throws Exception {
        Path file = dir.resolve("passwd");
        PasswordFile.empty().with("alice", PasswordHash.create("pw", 1_000)).write(file);
        CountDownLatch release = new CountDownLatch(1);
        ThreadPoolExecutor tiny = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(1));
        try (AuthChain chain = chain(file, tiny)) {
            tiny.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            var queued = chain.authenticate(request("alice", "pw")).toCompletableFuture(); // fills the queue
            AuthResult busy = await(chain, request("alice", "pw"));
            assertThat(busy.allowed()).isFalse();
            assertThat(busy.reasonCode()).isEqualTo(ReasonCode.SERVER_BUSY);
            release.countDown();
            assertThat(queued.get(10, TimeUnit.SECONDS).allowed()).isTrue();
        } finally {
            tiny.shutdownNow();
        }
    }

    @Test
    void hashingNeverRunsOnTheCallersThread() throws Exception {
        Path file = dir.resolve("passwd");
        PasswordFile.empty().with("alice", PasswordHash.create("pw", 1_000)).write(file);
        Thread caller = Thread.currentThread();
        java.util.concurrent.atomic.AtomicReference<Thread> ran = new java.util.concurrent.atomic.AtomicReference<>();
        try (AuthChain chain = chain(file, r -> hashing.execute(() -> {
            ran.set(Thread.currentThread());
            r.run();
        }))) {
            assertThat(await(chain, request("alice", "pw")).allowed()).isTrue();
            assertThat(ran.get()).isNotNull().isNotSameAs(caller);
        }
    }

    @Test
    void needsAPasswordFileThatParses() throws Exception {
        assertThatThrownBy(() -> AuthProviders.of(List.of(new FileAuthProvider())).chain(List.of("file"),
                "listener x", Settings.global(Map.of()), hashing, reloader))
                .hasMessageContaining("auth.file.path");
        Path file = dir.resolve("passwd");
        Files.writeString(file, "# users\nalice:nothash\n");
        assertThatThrownBy(() -> chain(file, hashing)).hasMessageContaining(file + ":2");
    }
}
