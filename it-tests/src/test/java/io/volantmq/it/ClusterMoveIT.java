package io.volantmq.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session moves from n1 to n2 while a publisher on n2 (the node it moves to) sends QoS 2, and n1 keeps
 * the session: its pub/sub connection to Redis dropped just before, so it did not hear the kick (n2 takes the
 * client over without waiting when nobody listens). n1 still routes what n2 forwards to it, after the
 * session's {@code moved} marker in its inbox; n2 delivered those messages itself once it had loaded the
 * session. Before the fix n1 delivered them to the session as well: every message twice.
 */
class ClusterMoveIT {
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
        nodes = cluster.startAll("n1", "n2");
    }

    @AfterEach
    void stopCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aQos2MessagePublishedOnTheNewNodeArrivesOnceWhenTheOldNodeMissedTheKick() throws Exception {
        BrokerProcess n1 = nodes.get(0);
        BrokerProcess n2 = nodes.get(1);
        ClusterNodes.Client sub = new ClusterNodes.Client(n1.uri(), "mv-sub", null);
        FaultOracle.Publisher publisher = null;
        try {
            sub.connect(false, 300);
            sub.client.subscribe("mv/#", 2);
            FaultOracle.awaitRoutes(n2, "mv/probe", sub); // n2 forwards mv/# to n1
            sub.client.disconnectForcibly(0, 1, false); // the session stays on n1, offline
            // every pub/sub connection drops; the nodes subscribe again after a second, n2 takes the client before
            try (Jedis redis = new Jedis(URI.create(cluster.redisUri()))) {
                redis.clientKill(ClientKillParams.clientKillParams().type(ClientType.PUBSUB));
            }
            boolean present = sub.connectTo(n2.uri(), false, 300, 60);
            int before = sub.received.size();
            publisher = new FaultOracle.Publisher(n2.uri(), "mv-pub", "mv/a", 2, n2.uri());
            publisher.start();
            Thread.sleep(3000);
            publisher.stopPublishing();
            publisher.join();
            FaultOracle.awaitAll(List.of(sub), List.of(publisher));
            Thread.sleep(1000); // a second copy, if any, comes from n1 through n2's queue
            evidence.note(FaultOracle.report("move", List.of(sub), List.of(publisher)));
            assertThat(present).as("session present on n2").isTrue();
            // the case under test happened: n1 kept the session's route and routed n2's messages after the move
            assertThat(java.nio.file.Files.readString(dir.resolve("n1.log"))).as("n1 routed messages of mv-pub")
                    .contains("'mv-pub|");
            assertThat(sub.received.size()).as("received after the move").isGreaterThan(before);
            FaultOracle.assertNoLossNoQos2Duplicates(List.of(sub), List.of(publisher));
        } finally {
            if (publisher != null) {
                publisher.stopPublishing();
                publisher.close();
            }
            sub.closeQuietly();
        }
    }
}
