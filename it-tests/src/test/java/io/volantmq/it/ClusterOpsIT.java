package io.volantmq.it;

import io.volantmq.broker.admin.Json;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator sees of a three-node cluster, read the way an operator reads it: the
 * {@code $SYS/broker/cluster/...} topics from an MQTT client, {@code GET /api/cluster} and the
 * Prometheus scrape over HTTP, and the registry keys in the real redis-server (they return to their
 * baseline once clean sessions end; a dead node's keys go once the janitor reaped it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterOpsIT {
    private static final String TOKEN = "ops-token";
    @TempDir
    static Path dir;
    private static ClusterNodes cluster;
    private static final List<BrokerProcess> NODES = new ArrayList<>();
    private static final List<Integer> ADMIN = new ArrayList<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startCluster() throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "no " + RedisServerProcess.BINARY + " (apt-get install redis-server)");
        cluster = new ClusterNodes(dir);
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        BrokerProcess[] started = new BrokerProcess[3];
        for (int i = 0; i < 3; i++) {
            int port = FreePorts.take();
            ADMIN.add(port);
            int index = i;
            Thread t = new Thread(() -> {
                try {
                    started[index] = cluster.start("n" + (index + 1), "-Dvolantmq.systreeUpdateInterval=1",
                            "-Dvolantmq.adminAddr=127.0.0.1:" + port, "-Dvolantmq.adminToken=" + TOKEN);
                } catch (Exception e) {
                    failures.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        NODES.addAll(List.of(started));
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String get(int node, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ADMIN.get(node) + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN).GET().build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> clusterView(int node) throws Exception {
        return (Map<String, Object>) Json.parse(get(node, "/api/cluster"));
    }

    /** The value of a Prometheus sample line {@code name{...} value} or {@code name value}, -1 when absent. */
    private static double sample(String scrape, String name) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    /** A client on {@code node} that keeps the latest value of every topic under {@code filter}. */
    private static MqttClient watch(int node, String clientId, String filter, Map<String, String> values)
            throws Exception {
        MqttClient client = new MqttClient(NODES.get(node).uri(), clientId, new MemoryPersistence());
        client.setTimeToWait(30_000);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        client.connect(o);
        IMqttMessageListener listener = (topic, message) ->
                values.put(topic, new String(message.getPayload(), StandardCharsets.UTF_8));
        client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 0)}, new IMqttMessageListener[] {listener});
        return client;
    }

    private static long number(Map<String, String> values, String topic) {
        String v = values.get(topic);
        return v == null ? -1 : Long.parseLong(v);
    }

    @Test
    @Order(1)
    void sysTopicsApiAndMetersShowNodesTrafficInboxAndTakeovers() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        ClusterNodes.Client sub = new ClusterNodes.Client(NODES.get(0).uri(), "ops-sub", received);
        ClusterNodes.Client pub = new ClusterNodes.Client(NODES.get(1).uri(), "ops-pub", null);
        Map<String, String> sys2 = new ConcurrentHashMap<>();
        Map<String, String> sys1 = new ConcurrentHashMap<>();
        MqttClient watch2 = null;
        MqttClient watch1 = null;
        ClusterNodes.Client mover = null;
        try {
            sub.connect(true, 0);
            sub.client.subscribe("ops/#", 1);
            pub.connect(true, 0);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                pub.client.publish("ops/probe", "probe".getBytes(), 0, false);
                return received.contains("probe");
            });
            for (int seq = 1; seq <= 50; seq++) {
                pub.client.publish("ops/data", ("1:" + seq).getBytes(), 1, false);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> received.stream().filter(t -> t.startsWith("1:")).count() >= 50);
            // a persistent client moves from n1 to n2: a takeover on n2, a kick on n1
            mover = new ClusterNodes.Client(NODES.get(0).uri(), "ops-mover", null);
            mover.connect(true, 300);
            ClusterNodes.Client moved = new ClusterNodes.Client(NODES.get(1).uri(), "ops-mover", null);
            assertThat(moved.connect(false, 300)).isTrue();
            mover.closeQuietly();
            mover = moved;

            watch2 = watch(1, "ops-sys2", "$SYS/broker/cluster/#", sys2);
            watch1 = watch(0, "ops-sys1", "$SYS/broker/cluster/#", sys1);
            String p = "$SYS/broker/cluster/";
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(number(sys2, p + "forwarded/out")).as("n2 forwarded out").isGreaterThanOrEqualTo(50);
                assertThat(number(sys1, p + "forwarded/in")).as("n1 forwarded in").isGreaterThanOrEqualTo(50);
                assertThat(number(sys2, p + "takeovers")).as("takeovers on n2").isGreaterThanOrEqualTo(1);
                assertThat(number(sys1, p + "kicks/received")).as("kicks on n1").isGreaterThanOrEqualTo(1);
                assertThat(number(sys2, p + "nodes/alive")).isEqualTo(3);
                for (String n : List.of("n1", "n2", "n3")) {
                    assertThat(sys2.get(p + "nodes/" + n + "/alive")).as(n + " alive").isEqualTo("true");
                }
                // n1: ops-sub and the watcher; n2: ops-pub, ops-mover and the watcher
                assertThat(number(sys2, p + "nodes/n1/clients")).isGreaterThanOrEqualTo(2);
                assertThat(number(sys2, p + "nodes/n2/clients")).isGreaterThanOrEqualTo(3);
                assertThat(number(sys2, p + "nodes/n1/inbox/pending")).isZero();
                assertThat(number(sys2, p + "inbox/length")).isGreaterThanOrEqualTo(0);
                assertThat(sys2).containsKeys(p + "fencing/node", p + "fencing/connections", p + "fenced");
            });
            // every node has its own $SYS tree: n2's values are not n1's
            assertThat(number(sys1, p + "forwarded/out")).isLessThan(number(sys2, p + "forwarded/out"));

            Map<String, Object> view = clusterView(2);
            assertThat(view).containsEntry("node", "n3").containsKeys("inboxPending", "fencingEvents",
                    "fencedConnections", "sharesPlacedElsewhere", "registryRemoved");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> table = (List<Map<String, Object>>) view.get("nodeTable");
            assertThat(table).extracting(r -> r.get("name")).containsExactly("n1", "n2", "n3");
            assertThat(table).allSatisfy(r -> assertThat(r).containsEntry("alive", true));
            assertThat(((Number) table.get(1).get("clients")).longValue()).isGreaterThanOrEqualTo(3);

            String scrape = get(1, "/metrics");
            assertThat(sample(scrape, "volantmq_cluster_forwarded_out_total")).isGreaterThanOrEqualTo(50);
            assertThat(sample(scrape, "volantmq_cluster_takeovers_total")).isGreaterThanOrEqualTo(1);
            assertThat(sample(scrape, "volantmq_cluster_nodes_alive")).isEqualTo(3);
            assertThat(sample(scrape, "volantmq_cluster_inbox_pending")).isGreaterThanOrEqualTo(0);
            assertThat(sample(scrape, "volantmq_cluster_fencing_node_total")).isGreaterThanOrEqualTo(0);
            assertThat(sample(get(0, "/metrics"), "volantmq_cluster_forwarded_in_total")).isGreaterThanOrEqualTo(50);
        } finally {
            sub.closeQuietly();
            pub.closeQuietly();
            if (mover != null) {
                mover.closeQuietly();
            }
            for (MqttClient w : new MqttClient[] {watch1, watch2}) {
                if (w != null) {
                    w.disconnectForcibly(1000);
                    w.close();
                }
            }
        }
    }

    private static long ownerKeys(Jedis redis) {
        return redis.keys("vmq:owner:*").size();
    }

    @Test
    @Order(2)
    void registryEntriesOfEndedCleanSessionsAreRemovedAndAReusedIdGetsANewerGeneration() throws Exception {
        try (Jedis redis = new Jedis(URI.create(cluster.redisUri()))) {
            // what the first test left: only its persistent client (expiry 300 s) keeps an entry
            await().atMost(Duration.ofSeconds(20)).until(() -> redis.keys("vmq:owner:*").stream()
                    .allMatch("vmq:owner:ops-mover"::equals));
            long baseline = ownerKeys(redis);
            List<ClusterNodes.Client> clients = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ClusterNodes.Client c = new ClusterNodes.Client(NODES.get(i % 3).uri(), "reg-" + i, null);
                c.connect(true, 0);
                clients.add(c);
            }
            assertThat(ownerKeys(redis)).as("one registry entry per connected client").isEqualTo(baseline + 30);
            long gen = Long.parseLong(redis.hget("vmq:owner:reg-0", "gen"));
            for (ClusterNodes.Client c : clients) {
                c.client.disconnect();
                c.client.close();
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(ownerKeys(redis)).as("registry back to its baseline").isEqualTo(baseline));
            // the id comes back: a generation newer than the deleted entry's, from the global counter
            ClusterNodes.Client again = new ClusterNodes.Client(NODES.get(1).uri(), "reg-0", null);
            again.connect(true, 0);
            try {
                assertThat(Long.parseLong(redis.hget("vmq:owner:reg-0", "gen"))).isGreaterThan(gen);
            } finally {
                again.closeQuietly();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> ownerKeys(redis) == baseline);

            // an entry from before the global counter (gen counted per key) lifts the counter: no gen goes back
            long counter = Long.parseLong(redis.get("vmq:gen"));
            redis.hset("vmq:owner:reg-legacy", Map.of("node", "gone-node", "gen", Long.toString(counter + 1000)));
            ClusterNodes.Client legacy = new ClusterNodes.Client(NODES.get(2).uri(), "reg-legacy", null);
            legacy.connect(true, 0);
            try {
                long legacyGen = Long.parseLong(redis.hget("vmq:owner:reg-legacy", "gen"));
                assertThat(legacyGen).isEqualTo(counter + 1001);
                assertThat(Long.parseLong(redis.get("vmq:gen"))).isGreaterThanOrEqualTo(legacyGen);
            } finally {
                legacy.closeQuietly();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> ownerKeys(redis) == baseline);
        }
    }

    @Test
    @Order(3)
    void aDeadNodesKeysAreGoneOnceTheJanitorReapedIt() throws Exception {
        ClusterNodes.Client sub = new ClusterNodes.Client(NODES.get(2).uri(), "dead-sub", null);
        sub.connect(true, 0);
        sub.client.subscribe("dead/#", 1);
        sub.client.subscribe("$share/dg/dead/#", 1);
        try (Jedis redis = new Jedis(URI.create(cluster.redisUri()))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> redis.exists("vmq:routes:n3")
                    && redis.exists("vmq:shares:n3") && redis.exists("vmq:conn:n3"));
            NODES.get(2).kill();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(redis.keys("vmq:*n3*")).as("keys of the dead node").isEmpty();
                assertThat(redis.smembers("vmq:nodes")).containsExactlyInAnyOrder("n1", "n2");
                assertThat(redis.exists("vmq:owner:dead-sub")).as("its clean session's entry").isFalse();
            });
        } finally {
            sub.closeQuietly();
        }
    }
}
