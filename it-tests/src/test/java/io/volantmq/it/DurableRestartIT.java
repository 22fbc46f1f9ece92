package io.volantmq.it;

import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a durable backend promises, shown end to end: the broker runs as its own process through
 * the launcher, is stopped cleanly or killed with SIGKILL, and is started again on the same store.
 */
class DurableRestartIT {
    private static RedisServerProcess redis;
    private static Path redisDir;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRedis() throws Exception {
        // appendfsync always: Redis itself keeps what it acknowledged, so the broker's promise can be tested
        redisDir = Files.createTempDirectory("durable-restart-redis");
        redis = RedisServerProcess.start(redisDir, List.of(), "always");
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
        try (var files = Files.walk(redisDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private List<String> settings(String backend) {
        List<String> s = new ArrayList<>();
        if (backend.endsWith("+buffer")) {
            // write-behind: a clean stop flushes, so nothing may be missing after it
            backend = backend.substring(0, backend.indexOf('+'));
            s.add("-Dvolantmq.persistence.buffer=true");
            s.add("-Dvolantmq.persistence.buffer.syncIntervalMs=200");
        }
        s.add("-Dvolantmq.persistence=" + backend);
        switch (backend) {
            case "redis" -> s.add("-Dvolantmq.persistence.redis.uri=redis://127.0.0.1:" + redis.port() + "/"
                    + Math.floorMod(dir.hashCode(), 16));
            case "rocksdb" -> s.add("-Dvolantmq.persistence.rocksdb.path=" + dir.resolve("rocksdb"));
            case "mapdb" -> s.add("-Dvolantmq.persistence.mapdb.path=" + dir.resolve("store.mapdb"));
            case "sqlite" -> s.add("-Dvolantmq.persistence.sqlite.path=" + dir.resolve("store.db"));
            default -> throw new IllegalArgumentException(backend);
        }
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rocksdb", "mapdb", "sqlite", "redis"})
    void everyAcknowledgedMessageIsDeliveredAfterKillDashNine(String backend) throws Exception {
        try (BrokerProcess broker = new BrokerProcess(settings(backend), dir.resolve("broker.log")).start()) {
            MqttClient subscriber = PahoSupport.connect(broker.uri(), "durable-sub", false, new PahoSupport.Recorder());
            subscriber.subscribe(new String[] {"durable/q1", "durable/q2"}, new int[] {1, 2});
            subscriber.disconnect();
            subscriber.close();

            List<String> acked1 = new CopyOnWriteArrayList<>();
            List<String> acked2 = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread stream = new Thread(() -> {
                try {
                    MqttClient publisher = PahoSupport.connect(broker.uri(), "durable-pub", true,
                            new PahoSupport.Recorder());
                    for (int i = 0; !stop.get(); i++) {
                        publisher.publish("durable/q1", ("a" + i).getBytes(), 1, false);
                        acked1.add("a" + i); // publish() returned: PUBACK received
                        publisher.publish("durable/q2", ("b" + i).getBytes(), 2, false);
                        acked2.add("b" + i); // PUBCOMP received
                    }
                } catch (Exception brokerGone) {
                    // expected once the broker is killed
                }
            }, "durable-publisher");
            stream.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (acked2.size() < 100 && System.nanoTime() < deadline && stream.isAlive()) {
                Thread.sleep(20);
            }
            assertThat(acked2.size()).as("acknowledged before the kill; log:\n" + broker.tail())
                    .isGreaterThanOrEqualTo(100);
            broker.kill(); // mid-stream
            stop.set(true);
            stream.join(30_000);
            List<String> expected1 = List.copyOf(acked1);
            List<String> expected2 = List.copyOf(acked2);

            broker.start();
            PahoSupport.Recorder received = new PahoSupport.Recorder();
            MqttClient resumed = PahoSupport.client(broker.uri(), "durable-sub", received);
            IMqttToken token = resumed.connectWithResult(PahoSupport.options(false));
            assertThat(token.getSessionPresent()).isTrue();
            Map<String, Integer> counts = new HashMap<>();
            for (PahoSupport.Received r = received.poll(15_000); r != null; r = received.poll(3_000)) {
                counts.merge(r.payload(), 1, Integer::sum);
            }
            resumed.disconnect();
            for (String payload : expected1) {
                assertThat(counts.getOrDefault(payload, 0)).as("QoS 1 %s at least once", payload).isPositive();
            }
            for (String payload : expected2) {
                assertThat(counts.getOrDefault(payload, 0)).as("QoS 2 %s exactly once", payload).isEqualTo(1);
            }
            counts.forEach((payload, n) -> {
                if (payload.startsWith("b")) {
                    assertThat(n).as("QoS 2 %s never twice", payload).isEqualTo(1);
                }
            });
        }
    }

    /**
     * The subscriber is online and acknowledging while the broker is killed: its acknowledged entries are
     * removed in batches (on the store lane), so the kill finds some acknowledged and not yet removed. They
     * may come again (QoS 1 allows it); what the broker acknowledged to the publisher may not be missing.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rocksdb", "mapdb", "sqlite", "redis"})
    void noAcknowledgedQos1MessageIsLostWhenKilledWhileDelivering(String backend) throws Exception {
        try (BrokerProcess broker = new BrokerProcess(settings(backend), dir.resolve("broker.log")).start()) {
            PahoSupport.Recorder before = new PahoSupport.Recorder();
            MqttClient subscriber = PahoSupport.connect(broker.uri(), "online-sub", false, before);
            subscriber.subscribe("online/q1", 1);

            List<String> acked = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread stream = new Thread(() -> {
                try {
                    MqttClient publisher = PahoSupport.connect(broker.uri(), "online-pub", true,
                            new PahoSupport.Recorder());
                    for (int i = 0; !stop.get(); i++) {
                        publisher.publish("online/q1", ("m" + i).getBytes(), 1, false);
                        acked.add("m" + i); // publish() returned: PUBACK received
                    }
                } catch (Exception brokerGone) {
                    // expected once the broker is killed
                }
            }, "online-publisher");
            stream.start();
            Map<String, Integer> counts = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (counts.size() < 500 && System.nanoTime() < deadline) {
                PahoSupport.Received r = before.poll(1_000);
                if (r != null) {
                    counts.merge(r.payload(), 1, Integer::sum);
                }
            }
            assertThat(counts.size()).as("delivered before the kill; log:\n" + broker.tail()).isGreaterThanOrEqualTo(500);
            broker.kill(); // mid-stream, with the subscriber acknowledging
            stop.set(true);
            stream.join(30_000);
            for (PahoSupport.Received r = before.poll(0); r != null; r = before.poll(0)) {
                counts.merge(r.payload(), 1, Integer::sum);
            }
            subscriber.close(true);
            List<String> expected = List.copyOf(acked);

            broker.start();
            PahoSupport.Recorder after = new PahoSupport.Recorder();
            MqttClient resumed = PahoSupport.client(broker.uri(), "online-sub", after);
            assertThat(resumed.connectWithResult(PahoSupport.options(false)).getSessionPresent()).isTrue();
            for (PahoSupport.Received r = after.poll(15_000); r != null; r = after.poll(3_000)) {
                counts.merge(r.payload(), 1, Integer::sum);
            }
            resumed.disconnect();
            List<String> missing = expected.stream().filter(p -> !counts.containsKey(p)).toList();
            assertThat(missing).as("acknowledged to the publisher, never delivered (of %d)", expected.size()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rocksdb", "mapdb", "sqlite", "redis", "rocksdb+buffer", "sqlite+buffer"})
    void retainedSessionsAndInflightStateSurviveACleanRestart(String backend) throws Exception {
        try (BrokerProcess broker = new BrokerProcess(settings(backend), dir.resolve("broker.log")).start()) {
            MqttClient publisher = PahoSupport.connect(broker.uri(), "restart-pub", true, new PahoSupport.Recorder());
            publisher.publish("restart/retained", "kept".getBytes(), 1, true);

            int inflightId;
            try (RawClient device = new RawClient(broker.port())) {
                device.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "restart-dev", false, 60, null, null, null, null));
                device.send(new Subscribe(1, List.of(Subscription.of("restart/cmd", 1)), null));
                device.receive(); // SUBACK
                publisher.publish("restart/cmd", "unacked".getBytes(), 1, false);
                Publish delivered = (Publish) device.receive();
                inflightId = delivered.packetId();
                // no PUBACK: the message stays inflight
            }
            publisher.publish("restart/cmd", "queued".getBytes(), 1, false);
            publisher.disconnect();

            broker.stop();
            broker.start();

            try (RawClient device = new RawClient(broker.port())) {
                assertThat(device.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "restart-dev", false, 60, null, null,
                        null, null)).sessionPresent()).isTrue();
                Publish resent = (Publish) device.receive();
                assertThat(new String(resent.payload())).isEqualTo("unacked");
                assertThat(resent.dup()).isTrue();
                assertThat(resent.packetId()).isEqualTo(inflightId);
                device.send(PubReply.of(PacketType.PUBACK, resent.packetId()));
                Publish queued = (Publish) device.receive();
                assertThat(new String(queued.payload())).isEqualTo("queued");
                device.send(PubReply.of(PacketType.PUBACK, queued.packetId()));
            }
            PahoSupport.Recorder late = new PahoSupport.Recorder();
            MqttClient subscriber = PahoSupport.connect(broker.uri(), "restart-late", true, late);
            subscriber.subscribe("restart/retained", 1);
            PahoSupport.Received retained = late.next();
            assertThat(retained.payload()).isEqualTo("kept");
            assertThat(retained.message().isRetained()).isTrue();
            subscriber.disconnect();
        }
    }
}
