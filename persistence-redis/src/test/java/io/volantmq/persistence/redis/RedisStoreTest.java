package io.volantmq.persistence.redis;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.contract.DurableStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.GenericContainer;

import java.nio.file.Path;
import java.util.Map;

class RedisStoreTest extends DurableStoreContract {
    private static GenericContainer<?> redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisContainers.redis("everysec");
        redis.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.stop();
        }
    }

    @Override
    protected Provider provider() {
        return new RedisProvider();
    }

    /** One server for all tests; each temp directory names its own key space, so a reopen finds it again. */
    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("redis", Map.of("uri", RedisContainers.uri(redis),
                "keyPrefix", "test:" + tempDir.getFileName() + ":"));
    }
}
