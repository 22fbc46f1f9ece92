package io.volantmq.it;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13: cross-node QoS 1 under a publisher as fast as its acknowledgements allow, in the default
 * transactional mode (redis store with commit=group). The subscriber's read used to wait for the inbox
 * batch in progress on its node, so it got one window per batch (25-47 msgs/s in the T10 bench) while
 * its queue overflowed. Every acknowledged message must arrive, once the publisher is done, in time.
 */
class ClusterBurstIT {
    private static final int MESSAGES = 20_000;
    private static final int PUBLISHER_INFLIGHT = 500;

    @TempDir
    Path dir;

    @Test
    void aFastQos1PublisherOnOneNodeReachesItsSubscriberOnAnother() throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "no " + RedisServerProcess.BINARY + " (apt-get install redis-server)");
        try (ClusterNodes cluster = new ClusterNodes(dir)) {
            List<BrokerProcess> nodes = cluster.startAll("n1", "n2", "n3");
            ClusterNodes.Client sub = new ClusterNodes.Client(nodes.get(1).uri(), "burst-sub", null);
            ClusterNodes.Client probe = new ClusterNodes.Client(nodes.get(0).uri(), "burst-probe", null);
            MqttAsyncClient pub = new MqttAsyncClient(nodes.get(0).uri(), "burst-pub", new MemoryPersistence());
            try {
                sub.connect(false, 3600); // persistent: its QoS 1 messages go through its queue on n2
                sub.client.subscribe("burst/#", 1);
                probe.connect(true, 0);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    probe.client.publish("burst/probe", "probe".getBytes(StandardCharsets.UTF_8), 0, false);
                    return sub.received.contains("probe"); // the route reached n1
                });

                MqttConnectOptions options = new MqttConnectOptions();
                options.setMaxInflight(PUBLISHER_INFLIGHT);
                pub.connect(options).waitForCompletion(20_000);
                Semaphore room = new Semaphore(PUBLISHER_INFLIGHT);
                AtomicInteger failed = new AtomicInteger();
                long start = System.nanoTime();
                for (int seq = 1; seq <= MESSAGES; seq++) {
                    if (!room.tryAcquire(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("no PUBACK for 30 s after " + seq + " messages");
                    }
                    pub.publish("burst/data", ("1:" + seq).getBytes(StandardCharsets.UTF_8), 1, false, null,
                            new IMqttActionListener() {
                                @Override
                                public void onSuccess(IMqttToken token) {
                                    room.release();
                                }

                                @Override
                                public void onFailure(IMqttToken token, Throwable e) {
                                    failed.incrementAndGet();
                                    room.release();
                                }
                            });
                }
                assertThat(room.tryAcquire(PUBLISHER_INFLIGHT, 60, TimeUnit.SECONDS)).as("every PUBACK came").isTrue();
                assertThat(failed.get()).as("publishes that failed").isZero();
                double publishSeconds = (System.nanoTime() - start) / 1e9;

                Set<Integer> expected = new HashSet<>();
                for (int seq = 1; seq <= MESSAGES; seq++) {
                    expected.add(seq);
                }
                // generous: the stall delivered a few dozen messages a second and dropped what overflowed the queue
                try {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                            .until(() -> new HashSet<>(ClusterNodes.seqs(sub.received)).containsAll(expected));
                } finally {
                    List<Integer> seqs = ClusterNodes.seqs(sub.received);
                    Set<Integer> missing = new HashSet<>(expected);
                    missing.removeAll(seqs);
                    System.out.printf("burst n1->n2 qos 1: %d acknowledged in %.1f s, %d received (%.1f s after the"
                            + " first publish), %d missing%n", MESSAGES, publishSeconds, seqs.size(),
                            (System.nanoTime() - start) / 1e9, missing.size());
                }
            } finally {
                if (pub.isConnected()) {
                    pub.disconnectForcibly(0, 1000);
                }
                pub.close();
                probe.closeQuietly();
                sub.closeQuietly();
            }
        }
    }
}
