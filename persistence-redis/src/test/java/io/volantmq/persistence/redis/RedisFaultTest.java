package io.volantmq.persistence.redis;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.PortBinding;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.GenericContainer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the broker sees when Redis hangs or dies: calls fail with {@link PersistenceException}
 * within the configured timeouts instead of blocking a store lane, and work again, with the data
 * Redis persisted, once the server is back. (Backend-specific: the contract suite has no server.)
 */
class RedisFaultTest {
    private static final int TIMEOUT_MILLIS = 500;
    // read timeout, once more while Jedis drops the broken connection, and 1 s for a slow machine;
    // Jedis's own 2 s default would exceed it, so the configured timeouts are shown to apply
    private static final Duration FAIL_WITHIN = Duration.ofMillis(3 * TIMEOUT_MILLIS + 1000);

    private static final SessionState SESSION = new SessionState("c", 5, 60, 0, null, 0);
    private static final StoredMessage MESSAGE = new StoredMessage("t", 1, false,
            "kept".getBytes(StandardCharsets.UTF_8), null, 1, 0);

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)  // a hanging store must fail the test, not stall the build
    void callsFailWithinTheTimeoutWhileRedisHangsOrIsDownAndWorkAgainAfter() throws Exception {
        int hostPort = freePort();
        // a restarted container would get a new random port: pin it, so the store's URI stays valid
        try (GenericContainer<?> redis = RedisContainers.redis("always")
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                        PortBinding.parse("127.0.0.1:" + hostPort + ":" + RedisContainers.PORT)))) {
            redis.start();
            DockerClient docker = redis.getDockerClient();
            String id = redis.getContainerId();
            ProviderConfig config = new ProviderConfig("redis", Map.of(
                    "uri", "redis://127.0.0.1:" + hostPort + "/0",
                    "poolSize", "2",
                    "connectTimeoutMillis", Integer.toString(TIMEOUT_MILLIS),
                    "readTimeoutMillis", Integer.toString(TIMEOUT_MILLIS)));
            try (Store store = new RedisProvider().open(config)) {
                store.sessions().put(SESSION);
                store.messages().enqueue(MESSAGE, List.of(new QueueTarget("c", 1, false, List.of())));
                store.sync(); // group commit: durable (acknowledged) from here on

                // paused: TCP connects (docker-proxy) but no reply ever comes
                docker.pauseContainerCmd(id).exec();
                try {
                    assertFailsQuickly(() -> store.sessions().get("c"));
                    assertFailsQuickly(() -> store.messages().read("c", 0, 10));
                    assertFailsQuickly(() -> store.retained().count());
                } finally {
                    docker.unpauseContainerCmd(id).exec();
                }
                assertThat(store.sessions().get("c")).contains(SESSION);
                assertThat(store.messages().read("c", 0, 10)).extracting(e -> e.message()).containsExactly(MESSAGE);

                // killed like kill -9: connections are refused; appendfsync always kept every acknowledged write
                docker.killContainerCmd(id).exec();
                assertFailsQuickly(() -> store.sessions().get("c"));
                // group commit (the default): the write waits for a sync, which fails and says so
                assertFailsQuickly(() -> {
                    store.messages().enqueue(MESSAGE, List.of(new QueueTarget("c", 1, false, null)));
                    store.sync();
                });
                docker.startContainerCmd(id).exec();

                // the server needs a moment to load its append-only file; until then calls fail fast
                SessionState back = eventually(() -> store.sessions().get("c").orElseThrow());
                assertThat(back).isEqualTo(SESSION);
                assertThat(store.messages().read("c", 0, 10)).extracting(e -> e.message()).containsExactly(MESSAGE);
                // the restarted server has an empty script cache: enqueue must load its script again
                store.messages().enqueue(MESSAGE, List.of(new QueueTarget("c", 1, false, null)));
                assertThat(store.messages().stats("c").messages()).isEqualTo(2);
            }
        }
    }

    private static void assertFailsQuickly(Runnable call) {
        long start = System.nanoTime();
        assertThatThrownBy(call::run).isInstanceOf(PersistenceException.class).hasMessageContaining("127.0.0.1");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("time to fail").isLessThan(FAIL_WITHIN);
    }

    private interface Call<T> {
        T run();
    }

    private static <T> T eventually(Call<T> call) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return call.run();
            } catch (PersistenceException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
