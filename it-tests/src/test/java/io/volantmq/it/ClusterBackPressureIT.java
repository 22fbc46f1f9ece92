package io.volantmq.it;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13, back-pressure across nodes: a QoS 1 publisher on n1 as fast as 450 messages in flight allow, its
 * persistent subscriber on n2, and n2 frozen for a while (SIGSTOP: a long GC pause, a VM its host stopped; the
 * liveness TTL is longer, so nobody takes n2's clients). A cluster used to acknowledge the publisher as soon as
 * each message was in n2's inbox stream, so the backlog grew in the stream (up to {@code inboxMaxLen}, then
 * trimmed away) for as long as n2 did not read. Now n1 stops reading the publisher while n2's backlog is over
 * {@code inboxHighWater}, and every acknowledged message arrives, once, in order, after n2 wakes.
 */
class ClusterBackPressureIT {
    private static final int MESSAGES = 30_000;
    private static final int PUBLISHER_INFLIGHT = 500;
    private static final long HIGH_WATER = 2000;
    private static final int STALL_SECONDS = 12;
    /** Longer than the freeze: n2 stays alive for the others. */
    private static final String LONG_TTL = "-Dvolantmq.cluster.livenessTtl=30";
    /** Shorter than the freeze: the paused publisher must neither be expired by the broker nor give up itself. */
    private static final int PUBLISHER_KEEP_ALIVE = 4;

    @TempDir
    Path dir;

    @Test
    void aFrozenNodeHoldsThePublishersSendingToItInsteadOfFillingItsInbox() throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "no " + RedisServerProcess.BINARY + " (apt-get install redis-server)");
        try (ClusterNodes cluster = new ClusterNodes(dir)) {
            String highWater = "-Dvolantmq.cluster.inboxHighWater=" + HIGH_WATER;
            BrokerProcess n1 = cluster.start("n1", highWater, LONG_TTL);
            BrokerProcess n2 = cluster.start("n2", highWater, LONG_TTL);
            Subscriber sub = new Subscriber(n2.uri());
            ClusterNodes.Client probe = new ClusterNodes.Client(n1.uri(), "bp-probe", null);
            MqttAsyncClient pub = new MqttAsyncClient(n1.uri(), "bp-pub", new MemoryPersistence());
            AtomicInteger acknowledged = new AtomicInteger();
            try {
                sub.connect();
                probe.connect(true, 0);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    probe.client.publish("bp/probe", "probe".getBytes(StandardCharsets.UTF_8), 0, false);
                    return sub.received.contains("probe"); // the route reached n1
                });

                n2.freeze();
                CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> publish(pub, acknowledged));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STALL_SECONDS);
                long maxBacklog = 0;
                while (System.nanoTime() < deadline && !publishing.isDone()) {
                    maxBacklog = Math.max(maxBacklog, backlog(cluster, "n2"));
                    Thread.sleep(200);
                }
                int acknowledgedWhileStalled = acknowledged.get();
                long backlogAtStall = backlog(cluster, "n2");
                maxBacklog = Math.max(maxBacklog, backlogAtStall);
                n2.thaw();
                while (!publishing.isDone()) {
                    maxBacklog = Math.max(maxBacklog, backlog(cluster, "n2"));
                    Thread.sleep(200);
                }
                publishing.get(); // every PUBACK came, none failed
                await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                        .until(() -> ClusterNodes.seqs(sub.received).size() >= MESSAGES);
                Thread.sleep(2000); // a duplicate would come now
                List<Integer> seqs = ClusterNodes.seqs(sub.received);
                System.out.printf("back-pressure n1->n2: %d acknowledged during the %d s freeze (n2's backlog then %d),"
                        + " largest backlog of n2's inbox %d (high water %d), %d received%n", acknowledgedWhileStalled,
                        STALL_SECONDS, backlogAtStall, maxBacklog, HIGH_WATER, seqs.size());

                assertThat(maxBacklog).as("n2's inbox backlog (lag + pending) stays near the high-water mark")
                        .isLessThanOrEqualTo(2 * HIGH_WATER + 1000);
                assertThat(acknowledgedWhileStalled).as("the publisher was held while n2 was frozen")
                        .isLessThan(MESSAGES);
                List<Integer> expected = new ArrayList<>();
                for (int seq = 1; seq <= MESSAGES; seq++) {
                    expected.add(seq);
                }
                assertThat(seqs).as("every acknowledged message once, in order").isEqualTo(expected);
                assertThat(java.nio.file.Files.readString(dir.resolve("n1.log")))
                        .contains("publishers here sending to it pause");
            } finally {
                n2.thaw();
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
     * A publisher held for a node that dies resumes: n2 is killed while, frozen, it holds the
     * publisher on n1; once n2 is no longer alive (its liveness key expired) n1 stops waiting for it (the
     * janitor hands its inbox on), and every PUBLISH is acknowledged. The liveness TTL is 10 s here, not 3: the
     * janitor drains the dead inbox on its heartbeat thread, and a drain longer than the TTL makes n1 itself
     * stale for a moment (it then refuses to acknowledge, and closes a 3.1.1 publisher: seen with 3 s).
     */
    @Test
    void aPublisherHeldForANodeThatDiesResumes() throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "no " + RedisServerProcess.BINARY + " (apt-get install redis-server)");
        try (ClusterNodes cluster = new ClusterNodes(dir)) {
            String highWater = "-Dvolantmq.cluster.inboxHighWater=" + HIGH_WATER;
            String ttl = "-Dvolantmq.cluster.livenessTtl=10"; // the later -D wins
            BrokerProcess n1 = cluster.start("n1", highWater, ttl);
            BrokerProcess n2 = cluster.start("n2", highWater, ttl);
            Subscriber sub = new Subscriber(n2.uri());
            ClusterNodes.Client probe = new ClusterNodes.Client(n1.uri(), "bp-probe", null);
            MqttAsyncClient pub = new MqttAsyncClient(n1.uri(), "bp-pub", new MemoryPersistence());
            AtomicInteger acknowledged = new AtomicInteger();
            try {
                sub.connect();
                probe.connect(true, 0);
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    probe.client.publish("bp/probe", "probe".getBytes(StandardCharsets.UTF_8), 0, false);
                    return sub.received.contains("probe");
                });
                n2.freeze();
                CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> publish(pub, acknowledged));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> backlog(cluster, "n2") >= HIGH_WATER);
                int before;
                do { // held: nothing more acknowledged for a second
                    before = acknowledged.get();
                    Thread.sleep(1000);
                } while (acknowledged.get() != before && !publishing.isDone());
                assertThat(publishing).as("held before n2 dies").isNotDone();
                int held = acknowledged.get();
                n2.kill();
                publishing.get(120, TimeUnit.SECONDS); // every PUBACK came, none failed
                System.out.printf("back-pressure, n2 killed: held at %d acknowledged, then all %d%n", held,
                        acknowledged.get());
                assertThat(acknowledged.get()).isEqualTo(MESSAGES);
            } catch (Exception | AssertionError e) {
                System.out.println("n1's log, last lines:\n" + n1.tail());
                throw e;
            } finally { // n2 is killed (or, after a failure, killed with the cluster, frozen or not)
                if (pub.isConnected()) {
                    pub.disconnectForcibly(0, 1000);
                }
                pub.close();
                probe.closeQuietly();
                sub.closeQuietly();
            }
        }
    }

    /** A high-water mark above half of the inbox bound is refused at start, with the key named. */
    @Test
    void aHighWaterMarkTooCloseToTheInboxBoundIsRefused() throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "no " + RedisServerProcess.BINARY + " (apt-get install redis-server)");
        try (ClusterNodes cluster = new ClusterNodes(dir)) {
            BrokerProcess n1 = cluster.node("n1", cluster.redisUri(), "-Dvolantmq.cluster.inboxMaxLen=10000",
                    "-Dvolantmq.cluster.inboxHighWater=6000");
            assertThat(n1.runToExit()).isNotZero();
            assertThat(java.nio.file.Files.readString(dir.resolve("n1.log")))
                    .contains("cluster.inboxHighWater").contains("0..5000");
        }
    }

    /** Entries added to {@code node}'s inbox and not routed yet: the group's lag plus its pending. */
    private static long backlog(ClusterNodes cluster, String node) throws Exception {
        List<String> info = List.of(RedisCli.run(cluster.redisPort(), "XINFO", "GROUPS", "vmq:inbox:" + node)
                .split("\\R"));
        String lag = info.get(info.indexOf("lag") + 1);
        return Long.parseLong(info.get(info.indexOf("pending") + 1)) + (lag.isEmpty() ? 0 : Long.parseLong(lag));
    }

    /** "1:1".."1:MESSAGES" to bp/data at QoS 1, as many in flight as Paho allows; returns once all are acknowledged. */
    private static void publish(MqttAsyncClient pub, AtomicInteger acknowledged) {
        try {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMaxInflight(PUBLISHER_INFLIGHT);
            options.setKeepAliveInterval(PUBLISHER_KEEP_ALIVE);
            pub.connect(options).waitForCompletion(20_000);
            int window = PUBLISHER_INFLIGHT - 50; // Paho frees a slot only after the listener has run
            Semaphore room = new Semaphore(window);
            AtomicInteger failed = new AtomicInteger();
            IMqttActionListener release = new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    acknowledged.incrementAndGet();
                    room.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    failed.incrementAndGet();
                    room.release();
                }
            };
            for (int seq = 1; seq <= MESSAGES; seq++) {
                // the pause lasts as long as the freeze: well below this
                if (!room.tryAcquire(120, TimeUnit.SECONDS)) {
                    throw new AssertionError("no PUBACK for 120 s after " + seq + " messages");
                }
                pub.publish("bp/data", ("1:" + seq).getBytes(StandardCharsets.UTF_8), 1, false, null, release);
            }
            assertThat(room.tryAcquire(window, 120, TimeUnit.SECONDS)).as("every PUBACK came").isTrue();
            assertThat(failed.get()).as("publishes that failed").isZero();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A persistent QoS 1 subscriber (its messages go through its queue on n2). */
    private static final class Subscriber implements MqttCallback {
        final MqttClient client;
        final List<String> received = new CopyOnWriteArrayList<>();

        Subscriber(String uri) throws MqttException {
            client = new MqttClient(uri, "bp-sub", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            client.setTimeToWait(30_000);
            client.setCallback(this);
        }

        void connect() throws MqttException {
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            o.setSessionExpiryInterval(3600L); // persistent: its QoS 1 messages go through its queue on n2
            o.setAutomaticReconnect(false);
            o.setKeepAliveInterval(60);
            client.connect(o);
            client.subscribe("bp/#", 1);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
            received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        void closeQuietly() {
            try {
                if (client.isConnected()) {
                    client.disconnectForcibly(0, 1000, false);
                }
                client.close(true);
            } catch (MqttException e) {
                // gone already
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
