package io.volantmq.it;

import io.micrometer.core.instrument.Counter;
import io.volantmq.broker.auth.PasswordFile;
import io.volantmq.broker.auth.PasswordHash;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Will;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Wills are publishes on the client's behalf: the ACL and the {@code $SYS} rule apply at CONNECT
 * (refused with 0x87 / 3.x 0x05) and again when the will goes out, immediately, after its delay, or
 * after a broker restart (dropped, logged and counted when the rules changed meanwhile).
 */
class WillAclIT {
    private static final List<String> RULES = List.of(
            "user alice",
            "topic readwrite alice/#",
            "user watcher",
            "topic read #");
    /** The same, but alice may no longer write where her will goes. */
    private static final List<String> RULES_WITHOUT_ALICE_STATUS = List.of(
            "user alice",
            "topic readwrite alice/data/#",
            "user watcher",
            "topic read #");

    @TempDir
    Path dir;
    private Path acl;
    private BrokerFixture broker;

    private BrokerFixture start(java.util.function.Consumer<io.volantmq.broker.BrokerConfig.Builder> more)
            throws IOException {
        Path passwords = dir.resolve("passwd");
        if (!Files.exists(passwords)) {
            PasswordFile.empty()
                    .with("alice", PasswordHash.create("a", PasswordHash.MIN_ITERATIONS))
                    .with("watcher", PasswordHash.create("w", PasswordHash.MIN_ITERATIONS))
                    .write(passwords);
        }
        acl = dir.resolve("acl");
        if (!Files.exists(acl)) {
            writeAcl(RULES);
        }
        broker = BrokerFixture.start(b -> {
            b.setting("auth", "file")
                    .setting("auth.file.path", passwords.toString())
                    .setting("acl.file", acl.toString())
                    .setting("reloadIntervalMillis", "100");
            more.accept(b);
        });
        return broker;
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private void writeAcl(List<String> lines) throws IOException {
        Path tmp = Files.createTempFile(dir, "acl", ".tmp");
        Files.write(tmp, lines);
        Files.move(tmp, acl, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Will will(String topic, boolean retain, Properties properties) {
        return new Will(topic, "offline".getBytes(StandardCharsets.UTF_8), 1, retain, properties);
    }

    private static Connect aliceConnect(ProtocolVersion version, String clientId, Will will, Properties properties) {
        return new Connect(version, clientId, true, 60, "alice", "a".getBytes(StandardCharsets.UTF_8), will,
                properties);
    }

    private MqttClient watcher(PahoSupport.Recorder recorder) throws Exception {
        MqttClient client = PahoSupport.client(broker.uri(), "watcher-" + System.nanoTime(), recorder);
        MqttConnectOptions options = PahoSupport.options(true);
        options.setUserName("watcher");
        options.setPassword("w".toCharArray());
        client.connect(options);
        client.subscribe("#", 1);
        return client;
    }

    private double aclDrops() {
        Counter c = broker.broker().metrics().registry().find("volantmq.messages.dropped").tag("reason", "acl")
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void mqtt5WillOnAnotherUsersTopicIsRefusedWith0x87() throws Exception {
        start(b -> { });
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck connAck = client.connect(aliceConnect(ProtocolVersion.MQTT_5, "alice-v5",
                    will("victim/cmd", true, Properties.EMPTY), Properties.EMPTY));
            assertThat(connAck.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            assertThat(client.closedWithin(5000)).isTrue();
        }
        assertThat(broker.broker().context().retained().match("victim/cmd", System.currentTimeMillis())).isEmpty();
    }

    @Test
    void v311WillOnSysIsRefusedWith0x05EvenWhenTheAclWouldAllowIt() throws Exception {
        writeAclBeforeStart(List.of("user alice", "topic readwrite #"));
        start(b -> { });
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck connAck = client.connect(aliceConnect(ProtocolVersion.MQTT_3_1_1, "alice-311",
                    will("$SYS/broker/version", true, Properties.EMPTY), null));
            assertThat(connAck.reasonCode()).isEqualTo(ReasonCode.V3_NOT_AUTHORIZED);
        }
    }

    @Test
    void anAllowedWillIsCheckedAgainWhenItGoesOut() throws Exception {
        start(b -> { });
        PahoSupport.Recorder seen = new PahoSupport.Recorder();
        MqttClient watcher = watcher(seen);
        // allowed now and when it goes out: published
        RawClient first = new RawClient(broker.port());
        assertThat(first.connect(aliceConnect(ProtocolVersion.MQTT_3_1_1, "alice-w1",
                will("alice/status", false, Properties.EMPTY), null)).reasonCode()).isZero();
        first.abort();
        assertThat(seen.next().topic()).isEqualTo("alice/status");

        RawClient second = new RawClient(broker.port());
        assertThat(second.connect(aliceConnect(ProtocolVersion.MQTT_3_1_1, "alice-w2",
                will("alice/status", true, Properties.EMPTY), null)).reasonCode()).isZero();
        writeAcl(RULES_WITHOUT_ALICE_STATUS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !broker.broker().context().acl()
                .mayPublish(new io.volantmq.broker.auth.ClientIdentity("alice-w2", "alice", null, null),
                        "alice/status"));
        double before = aclDrops();
        second.abort();

        await().atMost(Duration.ofSeconds(10)).until(() -> aclDrops() == before + 1);
        assertThat(seen.poll(300)).as("the will the ACL no longer allows").isNull();
        assertThat(broker.broker().context().retained().match("alice/status", System.currentTimeMillis())).isEmpty();
        watcher.disconnect();
    }

    @Test
    void aDelayedWillIsCheckedWhenItsDelayHasPassed() throws Exception {
        start(b -> { });
        PahoSupport.Recorder seen = new PahoSupport.Recorder();
        MqttClient watcher = watcher(seen);
        RawClient client = new RawClient(broker.port());
        Properties session = Properties.builder().add(PropertyId.SESSION_EXPIRY_INTERVAL, 60L).build();
        Properties delay = Properties.builder().add(PropertyId.WILL_DELAY_INTERVAL, 1L).build();
        assertThat(client.connect(aliceConnect(ProtocolVersion.MQTT_5, "alice-d",
                will("alice/status", true, delay), session)).reasonCode()).isZero();
        double before = aclDrops();
        client.abort();
        writeAcl(RULES_WITHOUT_ALICE_STATUS); // while the will waits for its delay

        await().atMost(Duration.ofSeconds(10)).until(() -> aclDrops() == before + 1);
        assertThat(seen.poll(300)).isNull();
        watcher.disconnect();
    }

    @Test
    void aWillRestoredAfterARestartIsCheckedAsItsOwner() throws Exception {
        java.util.Properties store = new java.util.Properties();
        store.setProperty("volantmq.persistence.rocksdb.path", dir.resolve("rocksdb").toString());
        start(b -> b.persistence("rocksdb").persistenceProperties(store));
        RawClient client = new RawClient(broker.port());
        Properties session = Properties.builder().add(PropertyId.SESSION_EXPIRY_INTERVAL, 300L).build();
        Properties delay = Properties.builder().add(PropertyId.WILL_DELAY_INTERVAL, 3L).build();
        assertThat(client.connect(aliceConnect(ProtocolVersion.MQTT_5, "alice-r",
                will("alice/status", true, delay), session)).reasonCode()).isZero();
        client.abort();
        await().atMost(Duration.ofSeconds(5)).until(() -> !broker.broker().context().sessions().get("alice-r")
                .online());
        broker.close(); // before the delay: the will is in the store
        writeAcl(RULES_WITHOUT_ALICE_STATUS);

        start(b -> b.persistence("rocksdb").persistenceProperties(store));
        PahoSupport.Recorder seen = new PahoSupport.Recorder();
        MqttClient watcher = watcher(seen);
        await().atMost(Duration.ofSeconds(15)).until(() -> aclDrops() == 1);
        assertThat(seen.poll(300)).isNull();
        assertThat(broker.broker().context().retained().match("alice/status", System.currentTimeMillis())).isEmpty();
        watcher.disconnect();
    }

    private void writeAclBeforeStart(List<String> lines) throws IOException {
        acl = dir.resolve("acl");
        writeAcl(lines);
    }
}
