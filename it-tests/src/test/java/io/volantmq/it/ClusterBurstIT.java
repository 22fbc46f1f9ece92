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

                long start = System.nanoTime();
                publish(pub, "burst/data", MESSAGES);
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

    /**
     * The queue bound holds for what an inbox batch (one store unit) adds: an offline persistent subscriber
     * on n2 with {@code maxQueuedMessages=1000} and drop-oldest gets at most the newest 1000 of 3000 QoS 1
     * messages from n1. Inside a batch the queue size Redis reports leaves out the batch's own entries, and
     * drop-oldest removed the same oldest entry for every entry over the bound.
     */
    @Test
    void anInboxBatchKeepsTheQueueBound() throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "no " + RedisServerProcess.BINARY + " (apt-get install redis-server)");
        int bound = 1000;
        int messages = 3000;
        try (ClusterNodes cluster = new ClusterNodes(dir)) {
            BrokerProcess n1 = cluster.start("n1");
            BrokerProcess n2 = cluster.start("n2", "-Dvolantmq.maxQueuedMessages=" + bound);
            ClusterNodes.Client sub = new ClusterNodes.Client(n2.uri(), "bound-sub", null);
            ClusterNodes.Client probe = new ClusterNodes.Client(n1.uri(), "bound-probe", null);
            MqttAsyncClient pub = new MqttAsyncClient(n1.uri(), "bound-pub", new MemoryPersistence());
            try {
                sub.connect(true, 3600);
                sub.client.subscribe("bound/#", 1);
                probe.connect(true, 0);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    probe.client.publish("bound/probe", "probe".getBytes(StandardCharsets.UTF_8), 0, false);
                    return sub.received.contains("probe");
                });
                sub.client.disconnect(); // offline: everything from n1 waits in its queue on n2

                publish(pub, "bound/data", messages);
                // n2 has routed (and acknowledged) every entry of its inbox
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    List<String> info = List.of(RedisCli.run(cluster.redisPort(), "XINFO", "GROUPS", "vmq:inbox:n2")
                            .split("\\R"));
                    return "0".equals(info.get(info.indexOf("pending") + 1)) && "0".equals(info.get(info.indexOf("lag") + 1));
                });

                sub.received.clear();
                sub.connect(false, 3600);
                await().atMost(Duration.ofSeconds(60)).until(() -> ClusterNodes.seqs(sub.received).contains(messages));
                int settled = -1;
                while (settled != sub.received.size()) { // nothing more comes
                    settled = sub.received.size();
                    Thread.sleep(2000);
                }
                List<Integer> seqs = ClusterNodes.seqs(sub.received);
                System.out.printf("bound n1->n2 offline: %d published, %d queued and delivered (bound %d)%n", messages,
                        seqs.size(), bound);
                assertThat(seqs.size()).as("delivered from a queue bounded at %d", bound).isLessThanOrEqualTo(bound + 1);
                assertThat(seqs).as("drop-oldest keeps the newest").contains(messages);
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

    /** Connects {@code pub} and sends "1:1".."1:count" at QoS 1, as many in flight as Paho allows; returns once all are acknowledged. */
    private static void publish(MqttAsyncClient pub, String topic, int count) throws Exception {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMaxInflight(PUBLISHER_INFLIGHT);
        pub.connect(options).waitForCompletion(20_000);
        // below Paho's limit: it frees a slot only after the listener has run
        int window = PUBLISHER_INFLIGHT - 50;
        Semaphore room = new Semaphore(window);
        AtomicInteger failed = new AtomicInteger();
        IMqttActionListener release = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                room.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                failed.incrementAndGet();
                room.release();
            }
        };
        for (int seq = 1; seq <= count; seq++) {
            if (!room.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new AssertionError("no PUBACK for 30 s after " + seq + " messages");
            }
            pub.publish(topic, ("1:" + seq).getBytes(StandardCharsets.UTF_8), 1, false, null, release);
        }
        assertThat(room.tryAcquire(window, 60, TimeUnit.SECONDS)).as("every PUBACK came").isTrue();
        assertThat(failed.get()).as("publishes that failed").isZero();
    }
}
