package io.volantmq.persistence.redis;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.net.URI;
import java.util.Map;

import static io.volantmq.persistence.contract.Fixtures.message;
import static io.volantmq.persistence.contract.Fixtures.targets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fencing token a cluster node gives its store ({@link RedisGroupWrites#fence}): a flush is applied only while
 * the key holds the node's value, checked and watched in the flush's own transaction, so a node the others have
 * declared dead (its epoch key deleted or replaced) writes nothing any more.
 */
class RedisFenceTest {
    @RegisterExtension
    static final RedisServer REDIS = new RedisServer("everysec");

    @Test
    void aFlushIsAppliedOnlyWhileTheFenceKeyHoldsTheNodesValue() {
        String uri = REDIS.uri();
        try (Jedis admin = new Jedis(URI.create(uri));
             Store store = new RedisProvider().open(new ProviderConfig("redis", Map.of("uri", uri,
                     "keyPrefix", "fence:")))) {
            admin.set("fence:epoch", "7");
            ((RedisGroupWrites) store).fence("fence:epoch", "7");
            store.messages().enqueue(message("t", "while the epoch is ours"), targets("kept"));
            store.sync();
            assertThat(store.messages().read("kept", 0, 10)).as("written while the key held the node's value")
                    .hasSize(1);

            admin.set("fence:epoch", "8"); // another incarnation, or the janitor, took the node's place
            store.messages().enqueue(message("t", "after the epoch moved on"), targets("dropped"));
            assertThatThrownBy(store::sync).isInstanceOf(PersistenceException.class).hasMessageContaining("fenced");
            admin.del("fence:epoch"); // deleted outright, as the janitor does before it reaps a node
            store.messages().enqueue(message("t", "after the epoch was deleted"), targets("dropped"));
            assertThatThrownBy(store::sync).isInstanceOf(PersistenceException.class).hasMessageContaining("fenced");
            assertThat(store.messages().read("dropped", 0, 10)).as("nothing of the fenced flushes reached Redis")
                    .isEmpty();
            assertThat(store.messages().read("kept", 0, 10)).hasSize(1);
        }
    }
}
