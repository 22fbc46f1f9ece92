package io.volantmq.it;

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
import static org.awaitility.Awaitility.await;

/**
 * T5 (cluster design's test plan), a node frozen with SIGSTOP for longer than the liveness TTL while
 * publishers and subscribers run, then resumed with SIGCONT. Run by the {@code cluster-faults} profile.
 *
 * <p>The survivors must evict it (its liveness key expires, the janitor adopts its clients); a client
 * that moves away during the freeze keeps its session; after waking, the frozen node must not keep
 * acting as the owner of its clients: it closes the connections that survived the freeze (they would
 * otherwise be served by two nodes at once, one of them from stale state). Oracle: every message a
 * publisher had acknowledged reaches every subscriber, QoS 2 exactly once.
 */
@Tag("cluster-faults")
class ClusterFreezeIT {
    @TempDir
    Path dir;
    @RegisterExtension
    final FaultEvidence evidence = new FaultEvidence();
    private ClusterNodes cluster;
    private List<BrokerProcess> nodes;

    @BeforeEach
    void startCluster() throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "no " + RedisServerProcess.BINARY + " (apt-get install redis-server)");
        cluster = new ClusterNodes(dir).traced();
        evidence.watch(dir);
        nodes = cluster.startAll("n1", "n2", "n3");
    }

    @AfterEach
    void stopCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void t5FrozenNodeIsEvictedAndFencesItselfOnWaking() throws Exception {
        BrokerProcess n1 = nodes.get(0);
        BrokerProcess n2 = nodes.get(1);
        BrokerProcess n3 = nodes.get(2);
        // persistent QoS 2 subscribers: one stays connected to n2 through the freeze (its keep-alive is
        // longer than the freeze), one moves to n3 during it, one is on n3 all along
        ClusterNodes.Client stays = new ClusterNodes.Client(n2.uri(), "t5-stays", null);
        ClusterNodes.Client moves = new ClusterNodes.Client(n2.uri(), "t5-moves", null);
        ClusterNodes.Client stable = new ClusterNodes.Client(n3.uri(), "t5-stable", null);
        for (ClusterNodes.Client s : List.of(stays, moves, stable)) {
            s.connect(false, 300);
            s.client.subscribe("t5/#", 2);
        }
        FaultOracle.awaitRoutes(n1, "t5/probe/1", stays, moves, stable);
        FaultOracle.awaitRoutes(n2, "t5/probe/2", stays, moves, stable);
        // QoS 2 from n1 (unaffected) and QoS 1 from a publisher on the node that freezes (it moves to n3
        // once its connection fails)
        FaultOracle.Publisher fromN1 = new FaultOracle.Publisher(n1.uri(), "t5-pub-n1", "t5/a", 2, n1.uri());
        FaultOracle.Publisher fromN2 = new FaultOracle.Publisher(n2.uri(), "t5-pub-n2", "t5/b", 1, n3.uri());
        List<FaultOracle.Publisher> publishers = List.of(fromN1, fromN2);
        try {
            publishers.forEach(FaultOracle.Publisher::start);
            Thread.sleep(2000);
            int beforeFreeze = fromN1.acked.size();
            n2.freeze();
            long frozenAt = System.nanoTime();
            // a client whose connection to n2 went quiet: the socket is dropped (no DISCONNECT) and it resumes on n3
            moves.client.disconnectForcibly(0, 1, false);
            boolean movedPresent = moves.connectTo(n3.uri(), false, 300, 60);
            // the survivors see n2 dead and reap it (liveness TTL 3 s, janitor every second)
            try (Jedis redis = new Jedis(URI.create(cluster.redisUri()))) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> !redis.sismember("vmq:nodes", "n2"));
            }
            long evictedMillis = (System.nanoTime() - frozenAt) / 1_000_000;
            int atEviction = fromN1.acked.size();
            Thread.sleep(2000); // frozen well beyond the TTL: the others have taken over what n2 held
            n2.thaw();
            long thawedAt = System.nanoTime();
            int atThaw = fromN1.acked.size();
            long frozenMillis = (thawedAt - frozenAt) / 1_000_000;
            // n2 must let go of the client that is still connected to it: it no longer owns it
            await().atMost(Duration.ofSeconds(30)).until(() -> !stays.client.isConnected());
            long fencedMillis = (System.nanoTime() - thawedAt) / 1_000_000;
            int staysReason = stays.disconnectReason;
            boolean staysPresent = stays.connectTo(n1.uri(), false, 300, 60);
            Thread.sleep(3000);
            publishers.forEach(FaultOracle.Publisher::stopPublishing);
            for (FaultOracle.Publisher p : publishers) {
                p.join();
            }
            List<ClusterNodes.Client> subscribers = List.of(stays, moves, stable);
            FaultOracle.awaitAll(subscribers, publishers);
            System.out.printf("T5 %s acknowledged before the freeze %d, at eviction %d, at SIGCONT %d%n", fromN1.id,
                    beforeFreeze, atEviction, atThaw);
            System.out.printf("T5 n2 frozen %d ms (liveness TTL 3 s): evicted after %d ms; after SIGCONT the client"
                    + " still connected to n2 was closed after %d ms (reason 0x%02x); session present: moved during the"
                    + " freeze %s, resumed after it %s%n", frozenMillis, evictedMillis, fencedMillis, staysReason,
                    movedPresent, staysPresent);
            evidence.note(FaultOracle.report("T5", subscribers, publishers));
            assertThat(movedPresent).as("a client moved to n3 during the freeze keeps its session").isTrue();
            assertThat(staysPresent).as("the client n2 closed after waking keeps its session").isTrue();
            FaultOracle.assertNoLossNoQos2Duplicates(subscribers, publishers);
        } finally {
            publishers.forEach(FaultOracle.Publisher::stopPublishing);
            for (ClusterNodes.Client c : List.of(stays, moves, stable)) {
                c.closeQuietly();
            }
            for (FaultOracle.Publisher p : publishers) {
                p.close();
            }
        }
    }
}
