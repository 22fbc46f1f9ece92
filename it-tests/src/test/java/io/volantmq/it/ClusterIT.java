package io.volantmq.it;

import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three broker processes over one real redis-server (volantmq.cluster=redis): T1 (cross-node QoS
 * 0/1/2 with the oracle: loss, QoS 2 duplicates, order; wildcards; retained) and T7 (a persistent
 * client moved between nodes 100 times under load; 100 races of simultaneous CONNECTs).
 */
class ClusterIT {
    @TempDir
    static Path dir;
    private static ClusterNodes cluster;
    private static BrokerProcess n1;
    private static BrokerProcess n2;
    private static BrokerProcess n3;

    @BeforeAll
    static void startCluster() throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "no " + RedisServerProcess.BINARY + " (apt-get install redis-server)");
        cluster = new ClusterNodes(dir);
        List<BrokerProcess> nodes = cluster.startAll("n1", "n2", "n3");
        n1 = nodes.get(0);
        n2 = nodes.get(1);
        n3 = nodes.get(2);
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Publishes on {@code node} until {@code subscriber} has seen one: its route reached every node. */
    private static void awaitRoute(BrokerProcess node, String topic, ClusterNodes.Client... subscribers) throws Exception {
        ClusterNodes.Client probe = new ClusterNodes.Client(node.uri(), "probe-" + System.nanoTime(), null);
        probe.connect(true, 0);
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                probe.client.publish(topic, "probe".getBytes(), 0, false);
                for (ClusterNodes.Client s : subscribers) {
                    if (!s.received.contains("probe")) {
                        return false;
                    }
                }
                return true;
            });
        } finally {
            probe.closeQuietly();
        }
    }

    /** The seqs of {@code qos} in arrival order, from payloads "qos:seq". */
    private static List<Integer> arrivals(List<String> received, int qos) {
        List<Integer> seqs = new ArrayList<>();
        for (String text : received) {
            String[] parts = text.split(":");
            if (parts.length == 2 && parts[0].equals(Integer.toString(qos))) {
                seqs.add(Integer.parseInt(parts[1]));
            }
        }
        return seqs;
    }

    /** Out-of-order first arrivals: a seq that arrives for the first time below one seen before. */
    private static int reordered(List<Integer> seqs) {
        Set<Integer> seen = new HashSet<>();
        int highest = 0;
        int reordered = 0;
        for (int seq : seqs) {
            if (seen.add(seq)) {
                if (seq < highest) {
                    reordered++;
                }
                highest = Math.max(highest, seq);
            }
        }
        return reordered;
    }

    @Test
    void t1CrossNodeDeliveryAtEveryQosWithWildcardsAndRetained() throws Exception {
        int perQos = 1000;
        ClusterNodes.Client sub3 = new ClusterNodes.Client(n3.uri(), "t1-sub3", null);
        ClusterNodes.Client sub2 = new ClusterNodes.Client(n2.uri(), "t1-sub2", null);
        ClusterNodes.Client pub = new ClusterNodes.Client(n1.uri(), "t1-pub", null);
        try {
            sub3.connect(true, 0);
            sub3.client.subscribe("t1/+/data", 2);
            sub2.connect(true, 0);
            sub2.client.subscribe("t1/#", 2);
            awaitRoute(n1, "t1/probe/data", sub3, sub2);
            pub.connect(true, 0);
            List<Set<Integer>> acked = new ArrayList<>();
            for (int qos = 0; qos <= 2; qos++) {
                Set<Integer> ok = new HashSet<>();
                for (int seq = 1; seq <= perQos; seq++) {
                    pub.client.publish("t1/q" + qos + "/data", (qos + ":" + seq).getBytes(), qos, false);
                    ok.add(seq); // publish returns once PUBACK / PUBCOMP came (QoS 0: once written)
                }
                acked.add(ok);
            }
            for (ClusterNodes.Client sub : List.of(sub3, sub2)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> new HashSet<>(arrivals(sub.received, 2))
                        .containsAll(acked.get(2)) && new HashSet<>(arrivals(sub.received, 1)).containsAll(acked.get(1)));
                for (int qos = 0; qos <= 2; qos++) {
                    List<Integer> seqs = arrivals(sub.received, qos);
                    Set<Integer> lost = new HashSet<>(acked.get(qos));
                    lost.removeAll(seqs);
                    int duplicates = seqs.size() - new HashSet<>(seqs).size();
                    System.out.printf("T1 %s qos %d: sent %d, received %d, lost %d, duplicates %d, reordered %d%n",
                            sub == sub3 ? "n1->n3" : "n1->n2", qos, perQos, seqs.size(), lost.size(), duplicates,
                            reordered(seqs));
                    assertThat(reordered(seqs)).as("order of qos %d", qos).isZero();
                    if (qos > 0) {
                        assertThat(lost).as("lost at qos %d", qos).isEmpty();
                    }
                    if (qos == 2) {
                        assertThat(duplicates).as("QoS 2 duplicates").isZero();
                    }
                }
            }
            // retained set through n1, read by a new subscriber on n3
            pub.client.publish("t1/retained", "kept".getBytes(), 1, true);
            long setAt = System.nanoTime();
            ClusterNodes.Client late = new ClusterNodes.Client(n3.uri(), "t1-late", null);
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    if (!late.client.isConnected()) {
                        late.connect(true, 0);
                    }
                    late.client.unsubscribe("t1/retained");
                    late.client.subscribe("t1/retained", 1);
                    Thread.sleep(100);
                    return late.received.contains("kept");
                });
                System.out.printf("T1 retained set on n1 visible on n3 after %d ms%n",
                        (System.nanoTime() - setAt) / 1_000_000);
            } finally {
                late.closeQuietly();
            }
        } finally {
            sub3.closeQuietly();
            sub2.closeQuietly();
            pub.closeQuietly();
        }
    }

    @Test
    void t7PersistentClientMovesBetweenNodesUnderLoadWithoutLoss() throws Exception {
        String id = "t7-mover";
        List<String> all = new CopyOnWriteArrayList<>();
        ClusterNodes.Client first = new ClusterNodes.Client(n1.uri(), id, all);
        first.connect(true, 300);
        for (String t : List.of("t7/a", "t7/b", "t7/c")) {
            first.client.subscribe(t, 1);
        }
        ClusterNodes.Client probeSink = first;
        awaitRoute(n3, "t7/a", probeSink);
        Set<Integer> acked = Collections.synchronizedSet(new HashSet<>());
        AtomicBoolean stop = new AtomicBoolean();
        ClusterNodes.Client pub = new ClusterNodes.Client(n3.uri(), "t7-pub", null);
        pub.connect(true, 0);
        Thread publisher = new Thread(() -> {
            String[] topics = {"t7/a", "t7/b", "t7/c"};
            for (int seq = 1; !stop.get(); seq++) {
                try {
                    pub.client.publish(topics[seq % 3], ("1:" + seq).getBytes(), 1, false);
                    acked.add(seq);
                    Thread.sleep(3);
                } catch (MqttException e) {
                    // not acknowledged: not in the oracle's set
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "t7-publisher");
        publisher.start();
        List<Long> latencies = new ArrayList<>();
        ClusterNodes.Client current = first;
        try {
            for (int i = 0; i < 100; i++) {
                BrokerProcess target = i % 2 == 0 ? n2 : n1;
                ClusterNodes.Client next = new ClusterNodes.Client(target.uri(), id, all);
                long start = System.nanoTime();
                boolean present = next.connect(false, 300); // the old connection is still open: a takeover
                latencies.add((System.nanoTime() - start) / 1_000_000);
                assertThat(present).as("session present on takeover %d", i).isTrue();
                ClusterNodes.Client old = current;
                await().atMost(Duration.ofSeconds(10)).until(() -> old.disconnectReason >= 0);
                assertThat(old.disconnectReason).as("old connection's DISCONNECT reason").isEqualTo(0x8E);
                old.closeQuietly();
                current = next;
                Thread.sleep(40);
            }
            stop.set(true);
            publisher.join();
            Set<Integer> expected = new HashSet<>(acked);
            ClusterNodes.Client last = current;
            await().atMost(Duration.ofSeconds(60)).until(() -> new HashSet<>(arrivals(all, 1)).containsAll(expected));
            List<Integer> seqs = arrivals(all, 1);
            Collections.sort(latencies);
            System.out.printf("T7 100 takeovers: %d acknowledged, %d received (%d duplicates), takeover latency p50 %d ms,"
                    + " p99 %d ms%n", expected.size(), seqs.size(), seqs.size() - new HashSet<>(seqs).size(),
                    latencies.get(50), latencies.get(98));
            assertThat(last.client.isConnected()).isTrue();
        } finally {
            stop.set(true);
            publisher.join();
            current.closeQuietly();
            pub.closeQuietly();
        }
    }

    @Test
    void aLocalPersistenceBackendIsRefusedInClusterMode() throws Exception {
        try (BrokerProcess refused = new BrokerProcess(List.of("-Dvolantmq.cluster=redis",
                "-Dvolantmq.cluster.redis.uri=" + cluster.redisUri(), "-Dvolantmq.nodeName=n9",
                "-Dvolantmq.persistence=sqlite", "-Dvolantmq.persistence.sqlite.path=" + dir.resolve("n9.db")),
                dir.resolve("n9.log"))) {
            assertThat(refused.runToExit()).isNotZero();
            assertThat(refused.tail()).contains("volantmq.persistence=sqlite").contains("volantmq.cluster=redis");
        }
    }

    /** What one side of a race saw: CONNACK code (-1: none) and, after it, the DISCONNECT reason (-1: still open). */
    private record Side(int connAck, int disconnect, boolean closed) {
        boolean survived() {
            return connAck == 0 && !closed;
        }
    }

    @Test
    void t7SimultaneousConnectsOnTwoNodesLeaveExactlyOne() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int race = 0; race < 100; race++) {
                String id = "t7-race-" + race;
                CountDownLatch go = new CountDownLatch(1);
                Future<Side> fa = pool.submit(() -> raceSide(go, n1.port(), id));
                Future<Side> fb = pool.submit(() -> raceSide(go, n2.port(), id));
                go.countDown();
                Side a = fa.get();
                Side b = fb.get();
                assertThat((a.survived() ? 1 : 0) + (b.survived() ? 1 : 0)).as("race %d: %s / %s", race, a, b)
                        .isEqualTo(1);
                for (Side loser : List.of(a, b)) {
                    if (!loser.survived() && loser.connAck() == 0 && loser.disconnect() >= 0) {
                        assertThat(loser.disconnect()).as("race %d loser's reason", race).isEqualTo(0x8E);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One CONNECT of a race, byte-exact: its CONNACK, then whatever follows until 1.5 s of silence. The
     * loser's fencing check runs right after its CONNACK, so its DISCONNECT comes well within that.
     */
    private static Side raceSide(CountDownLatch go, int port, String id) throws Exception {
        try (RawClient client = new RawClient(port)) {
            go.await();
            io.volantmq.broker.protocol.ConnAck ack;
            try {
                ack = client.connect(Mqtt5Packets.connect(id, false, 60, io.volantmq.broker.protocol.Properties.builder()
                        .add(io.volantmq.broker.protocol.PropertyId.SESSION_EXPIRY_INTERVAL, 300L).build()));
            } catch (java.io.IOException | AssertionError e) {
                return new Side(-1, -1, true);
            }
            if (ack.reasonCode() != 0) {
                return new Side(ack.reasonCode(), -1, true);
            }
            try {
                while (true) {
                    io.volantmq.broker.protocol.MqttMessage next = client.receiveOrNull(1500);
                    if (next == null) {
                        return new Side(0, -1, false);
                    }
                    if (next instanceof io.volantmq.broker.protocol.Disconnect d) {
                        return new Side(0, d.reasonCode(), true);
                    }
                }
            } catch (java.io.IOException e) {
                return new Side(0, -1, true);
            }
        }
    }
}
