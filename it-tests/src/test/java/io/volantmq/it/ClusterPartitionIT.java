package io.volantmq.it;

import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * T6 (cluster design's test plan, Design R): node n3 cut off from Redis but not from its clients, in
 * its own network namespace (two veth links: clients and Redis; the Redis link's host end is set down,
 * so packets are dropped, nobody gets a reset). Run by the {@code cluster-faults} profile; needs root.
 *
 * <p>During the cut n3 must refuse a persistent CONNECT, must not acknowledge what it cannot hand to
 * Redis, and must close its clients once its liveness expired; a client that moves to n1 during the cut
 * keeps its session (the duplicate-client overlap, until n3 closes the old connection, is printed).
 * After the link returns n3 holds nothing stale: a QoS 2 publisher on n3 reaches the moved client on n1
 * exactly once. Oracle: every acknowledged message received, QoS 2 exactly once per connection.
 */
@Tag("cluster-faults")
class ClusterPartitionIT {
    @TempDir
    Path dir;
    @RegisterExtension
    final FaultEvidence evidence = new FaultEvidence();
    private NetNamespace ns;
    private ClusterNodes cluster;

    @BeforeEach
    void setUp() throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "no " + RedisServerProcess.BINARY + " (apt-get install redis-server)");
        RequiredTool.require(NetNamespace.available(), "T6 makes network namespaces: needs root and iproute2 (ip netns)");
        ns = NetNamespace.create();
        cluster = new ClusterNodes(dir, List.of(ns.redisAddress())).traced();
        evidence.watch(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void t6NodeCutOffFromRedisStopsAcknowledgingFencesAndRejoinsEmpty() throws Exception {
        List<BrokerProcess> majority = cluster.startAll("n1", "n2");
        BrokerProcess n1 = majority.get(0);
        BrokerProcess n2 = majority.get(1);
        BrokerProcess n3 = cluster.node("n3", "redis://" + ns.redisAddress() + ":" + cluster.redisPort() + "/0")
                .prefix(ns.exec()).host(ns.nodeAddress()).start();
        // X: persistent, QoS 2, on n3; its old connection stays open through the cut, a new one takes it on n1.
        // Both feed one view (what the client received over either connection) for the loss check
        ClusterNodes.Client xView = new ClusterNodes.Client(n1.uri(), "t6-x-any-connection", null);
        ClusterNodes.Client xOld = new ClusterNodes.Client(n3.uri(), "t6-x", xView.received);
        ClusterNodes.Client stable = new ClusterNodes.Client(n2.uri(), "t6-stable", null);
        for (ClusterNodes.Client s : List.of(xOld, stable)) {
            s.connect(false, 300);
            s.client.subscribe("t6/#", 2);
        }
        FaultOracle.awaitRoutes(n1, "t6/probe/1", xOld, stable);
        FaultOracle.awaitRoutes(n3, "t6/probe/3", xOld, stable);
        FaultOracle.Publisher fromN1 = new FaultOracle.Publisher(n1.uri(), "t6-pub-n1", "t6/a", 2, n2.uri());
        FaultOracle.Publisher fromN3 = new FaultOracle.Publisher(n3.uri(), "t6-pub-n3", "t6/b", 1, n2.uri());
        List<FaultOracle.Publisher> publishers = List.of(fromN1, fromN3);
        ClusterNodes.Client xNew = null;
        FaultOracle.Publisher afterHeal = null;
        try {
            publishers.forEach(FaultOracle.Publisher::start);
            Thread.sleep(2000);
            ns.cutRedis();
            // read after the cut is in force: a message numbered higher was sent to n3 after it (one sent
            // before could still be handed to Redis and acknowledged, rightly)
            int seqAtCut = fromN3.lastSeq;
            long cutAt = System.nanoTime();
            // a persistent CONNECT on n3 is refused (it cannot take the client id without Redis)
            ClusterNodes.Client refused = new ClusterNodes.Client(n3.uri(), "t6-refused", null);
            assertThatThrownBy(() -> refused.connect(false, 300)).isInstanceOf(MqttException.class);
            refused.closeQuietly();
            // X moves to n1 while its connection to n3 is still open
            xNew = new ClusterNodes.Client(n1.uri(), "t6-x", xView.received);
            long moving = System.nanoTime();
            boolean movedPresent = xNew.connect(false, 300);
            long movedAt = System.nanoTime();
            long moveMillis = (movedAt - moving) / 1_000_000;
            // n3 closes its clients once its liveness expired (TTL 3 s): the duplicate-client overlap ends
            await().atMost(Duration.ofSeconds(30)).until(() -> !xOld.client.isConnected());
            long overlapMillis = (System.nanoTime() - movedAt) / 1_000_000;
            long fencedMillis = (System.nanoTime() - cutAt) / 1_000_000;
            try (Jedis redis = new Jedis(URI.create(cluster.redisUri()))) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> !redis.sismember("vmq:nodes", "n3"));
                long reapedMillis = (System.nanoTime() - cutAt) / 1_000_000;
                Thread.sleep(2000);
                // what n3 acknowledged after the cut, up to the publisher's move to n2 (n3 closed it)
                int movedOn = fromN3.firstReconnectSeq;
                long ackedByN3DuringCut = fromN3.acked.stream().filter(seq -> seq > seqAtCut
                        && (movedOn == 0 || seq < movedOn)).count();
                long cutMillis = (System.nanoTime() - cutAt) / 1_000_000;
                ns.healRedis();
                long healedAt = System.nanoTime();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> redis.sismember("vmq:nodes", "n3"));
                // n3 takes CONNECTs again (its Redis connections recover first)
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                    ClusterNodes.Client probe = new ClusterNodes.Client(n3.uri(), "t6-probe-healed", null);
                    try {
                        probe.connect(true, 0);
                        return true;
                    } finally {
                        probe.closeQuietly();
                    }
                });
                long acceptingMillis = (System.nanoTime() - healedAt) / 1_000_000;
                assertThat(redis.hget("vmq:owner:t6-x", "node")).as("one owner of X after the heal").isEqualTo("n1");
                System.out.printf("T6 n3 cut from Redis %d ms (liveness TTL 3 s): n3 closed its clients after %d ms,"
                        + " reaped by the others after %d ms; X moved to n1 (CONNECT took %d ms, session present %s),"
                        + " then both its connections were open for %d ms; n3 acknowledged %d QoS 1 from its publisher"
                        + " after the cut began (publisher: %d failures); after the heal n3 took CONNECTs again after"
                        + " %d ms%n", cutMillis, fencedMillis, reapedMillis, moveMillis, movedPresent, overlapMillis,
                        ackedByN3DuringCut, fromN3.failed.get(), acceptingMillis);
                assertThat(ackedByN3DuringCut).as("n3 acknowledges nothing it could not hand to Redis").isZero();
                assertThat(movedPresent).as("X keeps its session on n1").isTrue();
            }
            // after the heal n3 holds nothing stale: what is published there reaches X on n1, exactly once
            FaultOracle.awaitRoutes(n3, "t6/probe/healed", xNew, stable);
            afterHeal = new FaultOracle.Publisher(n3.uri(), "t6-pub-n3-healed", "t6/c", 2, n3.uri());
            afterHeal.start();
            Thread.sleep(3000);
            List<FaultOracle.Publisher> all = List.of(fromN1, fromN3, afterHeal);
            all.forEach(FaultOracle.Publisher::stopPublishing);
            for (FaultOracle.Publisher p : all) {
                p.join();
            }
            FaultOracle.awaitAll(List.of(xView, stable), all);
            evidence.note(FaultOracle.report("T6", List.of(xView, xOld, xNew, stable), all));
            FaultOracle.assertNoLoss(List.of(xView, stable), all);
            FaultOracle.assertNoQos2Duplicates(List.of(xOld, xNew, stable), all);
        } finally {
            publishers.forEach(FaultOracle.Publisher::stopPublishing);
            for (ClusterNodes.Client c : new ClusterNodes.Client[] {xOld, xNew, stable}) {
                if (c != null) {
                    c.closeQuietly();
                }
            }
            for (FaultOracle.Publisher p : publishers) {
                p.close();
            }
            if (afterHeal != null) {
                afterHeal.close();
            }
        }
    }
}
