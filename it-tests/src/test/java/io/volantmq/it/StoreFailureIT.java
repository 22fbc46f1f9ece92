package io.volantmq.it;

import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.PullPolicy;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;


import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.props;
import static io.volantmq.it.Mqtt5Packets.publish;
import static io.volantmq.it.Mqtt5Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis going away mid-run: the broker keeps serving what needs no store, reports the store as
 * failing, refuses QoS 1 acknowledgements it cannot make durable, and recovers when Redis returns.
 */
class StoreFailureIT {
    private static final String IMAGE = System.getProperty("volantmq.test.redisImage", "local/redis:7");

    @Test
    void qos1IsRefusedNotLiedAboutWhileRedisIsPausedAndFlowsAgainAfter() throws Exception {
        try (GenericContainer<?> redis = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withCommand("redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "yes")
                .withExposedPorts(6379)
                .withImagePullPolicy(IMAGE.startsWith("local/") ? image -> false : PullPolicy.defaultPolicy())
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1)
                        .withStartupTimeout(Duration.ofSeconds(30)))) {
            redis.start();
            java.util.Properties store = new java.util.Properties();
            store.setProperty("volantmq.persistence.redis.uri",
                    "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379) + "/0");
            store.setProperty("volantmq.persistence.redis.readTimeoutMillis", "500");
            store.setProperty("volantmq.persistence.redis.connectTimeoutMillis", "500");
            try (BrokerFixture broker = BrokerFixture.start(b -> b.persistence("redis").persistenceProperties(store));
                 RawClient sub = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
                // a session that outlives its connection: its queue is in the store (a clean one's is on the heap)
                sub.connect(connect("fail-sub", true, 60, props(PropertyId.SESSION_EXPIRY_INTERVAL, 300L)));
                sub.send(subscribe(1, Subscription.of("fail/#", 1), null));
                sub.receive();
                pub.connect(connect("fail-pub"));

                redis.getDockerClient().pauseContainerCmd(redis.getContainerId()).exec();
                try {
                    pub.send(publish("fail/q1", 1, 1, "not durable", Properties.EMPTY));
                    PubReply refused = (PubReply) pub.receive();
                    assertThat(refused.type()).isEqualTo(PacketType.PUBACK);
                    assertThat(refused.reasonCode()).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
                    assertThat(broker.broker().storeHealth().healthy()).isFalse();

                    // QoS 0 between online clients needs no store: it still flows
                    pub.send(publish("fail/q0", 0, 0, "live", Properties.EMPTY));
                    Publish live = (Publish) sub.receive();
                    assertThat(new String(live.payload())).isEqualTo("live");
                } finally {
                    redis.getDockerClient().unpauseContainerCmd(redis.getContainerId()).exec();
                }

                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    pub.send(publish("fail/q1", 1, 2, "durable again", Properties.EMPTY));
                    PubReply ack = (PubReply) pub.receive();
                    assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
                });
                assertThat(broker.broker().storeHealth().healthy()).isTrue();
                Publish delivered = (Publish) sub.receive();
                assertThat(new String(delivered.payload())).isEqualTo("durable again");
                sub.send(PubReply.of(PacketType.PUBACK, delivered.packetId()));
            }
        }
    }
}
