package io.volantmq.persistence.redis;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.containers.GenericContainer;

/**
 * One Redis container for a test class ({@code @RegisterExtension static RedisServer redis = ...}): started before
 * its first test, stopped after its last.
 */
final class RedisServer implements BeforeAllCallback, AfterAllCallback {
    private final String appendfsync;
    private GenericContainer<?> container;

    RedisServer(String appendfsync) {
        this.appendfsync = appendfsync;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        container = RedisContainers.redis(appendfsync);
        container.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (container != null) {
            container.stop();
        }
    }

    String uri() {
        return RedisContainers.uri(container);
    }
}
