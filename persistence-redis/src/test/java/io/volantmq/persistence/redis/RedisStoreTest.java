package io.volantmq.persistence.redis;

import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.contract.DurableStoreContract;

import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.Map;

class RedisStoreTest extends DurableStoreContract {
    @RegisterExtension
    static final RedisServer REDIS = new RedisServer("everysec");

    @Override
    protected Provider provider() {
        return new RedisProvider();
    }

    /** One server for all tests; each temp directory names its own key space, so a reopen finds it again. */
    @Override
    protected ProviderConfig config(Path tempDir) {
        return new ProviderConfig("redis", Map.of("uri", REDIS.uri(),
                "keyPrefix", "test:" + tempDir.getFileName() + ":"));
    }
}
