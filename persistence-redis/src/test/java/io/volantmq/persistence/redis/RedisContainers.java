package io.volantmq.persistence.redis;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.images.PullPolicy;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;

/**
 * Redis servers for the tests, started by Testcontainers. CI uses {@code local/redis:7}, built
 * offline by {@code .ci/testcontainers-setup.sh} and never pulled (a missing image fails in
 * seconds instead of retrying a registry for minutes). A developer may name another image with
 * {@code -Dvolantmq.test.redisImage=redis:7}; only such a non-local image may be pulled.
 * Docker being unavailable fails the tests: nothing here skips them.
 */
final class RedisContainers {
    static final String IMAGE = System.getProperty("volantmq.test.redisImage", "local/redis:7");
    static final int PORT = 6379;

    private RedisContainers() {
    }

    /** A server with an append-only file synced as given ({@code always} or {@code everysec}). */
    static GenericContainer<?> redis(String appendfsync) {
        ImagePullPolicy pull = IMAGE.startsWith("local/") ? image -> false : PullPolicy.defaultPolicy();
        return new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withCommand("redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "yes",
                        "--appendfsync", appendfsync)
                .withExposedPorts(PORT)
                .withImagePullPolicy(pull)
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1)
                        .withStartupTimeout(Duration.ofSeconds(30)));
    }

    static String uri(GenericContainer<?> redis) {
        return "redis://" + redis.getHost() + ":" + redis.getMappedPort(PORT) + "/0";
    }
}
