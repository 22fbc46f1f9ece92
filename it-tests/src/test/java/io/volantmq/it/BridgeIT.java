package io.volantmq.it;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.admin.Json;
import io.volantmq.broker.transport.TestPki;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bridge against a real remote broker: Mosquitto as a process (stopped, paused), and a second
 * VolantMQ. The local broker runs in-process here; {@link BridgeDurabilityIT} kills it with -9.
 */
class BridgeIT {
    private static final String TOKEN = "bridge-test-token";

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void needsMosquitto() {
        RequiredTool.require(MosquittoProcess.installed(), "mosquitto is not installed (apt-get install mosquitto)");
    }

    @AfterEach
    void closeAll() {
        // every one, even when a client fails to disconnect from a broker that is gone: no process may outlive the test
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                System.err.println("closing after the test: " + e);
            }
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    private MqttClient keep(MqttClient c) {
        open.add(() -> {
            if (c.isConnected()) {
                c.disconnectForcibly(1000, 1000);
            }
            c.close();
        });
        return c;
    }

    /** The local broker with one bridge {@code cloud} to {@code address}, and the admin API on. */
    private BrokerFixture local(String address, String protocol, Consumer<BrokerConfig.Builder> more) {
        return keep(BrokerFixture.start(b -> {
            b.setting("adminAddr", "127.0.0.1:0").setting("adminToken", TOKEN)
                    .setting("bridges", "cloud")
                    .setting("bridge.cloud.address", address)
                    .setting("bridge.cloud.protocol", protocol)
                    .setting("bridge.cloud.clientId", "site1-" + protocol)
                    .setting("bridge.cloud.keepAlive", "2")
                    .setting("bridge.cloud.reconnectMin", "100")
                    .setting("bridge.cloud.reconnectMax", "500")
                    .setting("bridge.cloud.topic.1", "telemetry/# out 1 site/ cloud/site1/")
                    .setting("bridge.cloud.topic.2", "commands/# in 1 site/ cloud/site1/")
                    .setting("bridge.cloud.topic.3", "sync/# both 1");
            more.accept(b);
        }));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> bridgeStatus(BrokerFixture broker) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + broker.broker().adminAddress().getPort() + "/api/bridges"))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<Object> all = (List<Object>) Json.parse(r.body());
        return (Map<String, Object>) all.get(0);
    }

    private static void awaitSubscribed(BrokerFixture broker) {
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(bridgeStatus(broker)).containsEntry("connected", true)
                        .containsEntry("subscribed", true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"3.1.1", "5"})
    void forwardsBothWaysWithRemappingAndNoEcho(String protocol) throws Exception {
        MosquittoProcess remote = keep(new MosquittoProcess(dir.resolve("mosquitto"), List.of()).start());
        BrokerFixture site = local(remote.uri(), protocol, b -> { });
        awaitSubscribed(site);

        PahoSupport.Recorder atCloud = new PahoSupport.Recorder();
        MqttClient cloud = keep(PahoSupport.connect(remote.uri(), "cloud-app", true, atCloud));
        cloud.subscribe(new String[] {"cloud/site1/telemetry/#", "sync/#"}, new int[] {1, 1});
        PahoSupport.Recorder atSite = new PahoSupport.Recorder();
        MqttClient device = keep(PahoSupport.connect(site.uri(), "device", true, atSite));
        device.subscribe(new String[] {"site/commands/#", "sync/#"}, new int[] {1, 1});

        // out: site/telemetry/... -> cloud/site1/telemetry/...
        device.publish("site/telemetry/temp", "21.5".getBytes(StandardCharsets.UTF_8), 1, false);
        PahoSupport.Received up = atCloud.next();
        assertThat(up.topic()).isEqualTo("cloud/site1/telemetry/temp");
        assertThat(up.payload()).isEqualTo("21.5");
        assertThat(up.message().getQos()).isEqualTo(1);

        // in: cloud/site1/commands/... -> site/commands/...
        cloud.publish("cloud/site1/commands/reboot", "now".getBytes(StandardCharsets.UTF_8), 1, false);
        PahoSupport.Received down = atSite.next();
        assertThat(down.topic()).isEqualTo("site/commands/reboot");
        assertThat(down.payload()).isEqualTo("now");

        // both, from the site: the cloud gets it once, and it does not come back to the site
        device.publish("sync/a", "from-site".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(atSite.next().payload()).isEqualTo("from-site"); // the device's own subscription
        assertThat(atCloud.next().payload()).isEqualTo("from-site");
        // both, from the cloud: the site gets it once, and it does not go back to the cloud
        cloud.publish("sync/b", "from-cloud".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(atCloud.next().payload()).isEqualTo("from-cloud");
        assertThat(atSite.next().payload()).isEqualTo("from-cloud");
        // a marker behind them: had anything echoed, it would arrive before the marker
        device.publish("site/telemetry/marker", "m".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(atCloud.next().topic()).isEqualTo("cloud/site1/telemetry/marker");
        cloud.publish("cloud/site1/commands/marker", "m".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(atSite.next().topic()).isEqualTo("site/commands/marker");
        assertThat(atSite.poll(500)).isNull();
        assertThat(atCloud.poll(500)).isNull();

        Map<String, Object> status = bridgeStatus(site);
        assertThat(((Number) status.get("sent")).longValue()).isGreaterThanOrEqualTo(3);
        assertThat(((Number) status.get("received")).longValue()).isGreaterThanOrEqualTo(3);
        assertThat(((Number) status.get("queued")).longValue()).isZero();
    }

    @Test
    void theBridgeQueuesClientIdIsReservedAndItsQueueIsNotAClientsQueue() throws Exception {
        BrokerFixture site = local("tcp://127.0.0.1:" + MosquittoProcess.freePort(), "5", b -> { });
        org.eclipse.paho.client.mqttv3.MqttException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
                org.eclipse.paho.client.mqttv3.MqttException.class,
                () -> keep(PahoSupport.connect(site.uri(), "$bridge/cloud", false, new PahoSupport.Recorder())));
        assertThat(refused.getReasonCode()).isEqualTo(2); // 3.1.1 CONNACK 0x02: identifier rejected
        assertThat(bridgeStatus(site)).containsEntry("connected", false);
    }

    @Test
    void aBridgeQueueHasItsOwnBoundAndCountsWhatItDrops() throws Exception {
        BrokerFixture site = local("tcp://127.0.0.1:" + MosquittoProcess.freePort(), "5", b -> b
                .setting("bridge.cloud.maxQueuedMessages", "5").setting("bridge.cloud.queueDropPolicy", "newest"));
        MqttClient device = keep(PahoSupport.connect(site.uri(), "device", true, new PahoSupport.Recorder()));
        for (int i = 0; i < 8; i++) {
            device.publish("site/telemetry/b", Integer.toString(i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
        Map<String, Object> status = bridgeStatus(site);
        assertThat(((Number) status.get("queued")).longValue()).isEqualTo(5);
        assertThat(((Number) status.get("dropped")).longValue()).isEqualTo(3);
        assertThat(site.broker().droppedQueuedMessages()).isEqualTo(3);
    }

    @Test
    void stateIsPublishedUnderSysAndAsMeters() throws Exception {
        MosquittoProcess remote = keep(new MosquittoProcess(dir.resolve("mosquitto"), List.of()).start());
        BrokerFixture site = local(remote.uri(), "5", b -> b.setting("systreeUpdateInterval", "1"));
        awaitSubscribed(site);
        PahoSupport.Recorder sys = new PahoSupport.Recorder();
        MqttClient watcher = keep(PahoSupport.connect(site.uri(), "watcher", true, sys));
        watcher.subscribe("$SYS/broker/bridges/cloud/connected", 0);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PahoSupport.Received r = sys.poll(2000);
            assertThat(r).isNotNull();
            assertThat(r.payload()).isEqualTo("true");
        });
        io.micrometer.core.instrument.MeterRegistry registry = site.broker().metrics().registry();
        assertThat(registry.get("volantmq.bridge.connected").tag("bridge", "cloud").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("volantmq.bridge.sent").tag("bridge", "cloud").functionCounter().count()).isZero();
    }

    @Test
    void failsOverToTheNextAddressAndBringsQos2InOnce() throws Exception {
        MosquittoProcess remote = keep(new MosquittoProcess(dir.resolve("mosquitto"), List.of()).start());
        String dead = "tcp://127.0.0.1:" + MosquittoProcess.freePort();
        BrokerFixture site = local(dead + ", " + remote.uri(), "5",
                b -> b.setting("bridge.cloud.topic.2", "commands/# in 2 site/ cloud/site1/"));
        awaitSubscribed(site);
        assertThat(bridgeStatus(site)).containsEntry("address", remote.uri());
        assertThat((String) bridgeStatus(site).get("lastError")).contains(dead.substring("tcp://".length()));

        PahoSupport.Recorder atSite = new PahoSupport.Recorder();
        MqttClient device = keep(PahoSupport.connect(site.uri(), "device", true, atSite));
        device.subscribe("site/commands/#", 2);
        MqttClient cloud = keep(PahoSupport.connect(remote.uri(), "cloud-app", true, new PahoSupport.Recorder()));
        for (int i = 0; i < 50; i++) {
            cloud.publish("cloud/site1/commands/c", Integer.toString(i).getBytes(StandardCharsets.UTF_8), 2, false);
        }
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            PahoSupport.Received r = atSite.next();
            assertThat(r.message().getQos()).isEqualTo(2);
            got.add(Integer.parseInt(r.payload()));
        }
        assertThat(got).isEqualTo(range(50));
        assertThat(atSite.poll(500)).isNull();
    }

    @Test
    void partitionedRemoteIsNoticedAndQueuedMessagesFollowAfterRecovery() throws Exception {
        MosquittoProcess remote = keep(new MosquittoProcess(dir.resolve("mosquitto"), List.of()).start());
        BrokerFixture site = local(remote.uri(), "5", b -> { });
        awaitSubscribed(site);
        PahoSupport.Recorder atCloud = new PahoSupport.Recorder();
        MqttClient cloud = keep(PahoSupport.connect(remote.uri(), "cloud-app", false, atCloud));
        cloud.subscribe("cloud/#", 1);
        MqttClient device = keep(PahoSupport.connect(site.uri(), "device", true, new PahoSupport.Recorder()));

        remote.pause(); // SIGSTOP: the TCP connection stays open, nothing answers
        for (int i = 0; i < 100; i++) {
            device.publish("site/telemetry/p", Integer.toString(i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
        // keep-alive 2 s: no answer within 3 s and the bridge gives the link up
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(bridgeStatus(site))
                .containsEntry("connected", false));
        assertThat(((Number) bridgeStatus(site).get("queued")).longValue()).isEqualTo(100);
        assertThat((String) bridgeStatus(site).get("lastError")).contains("no answer");
        remote.resume();

        List<Integer> got = new ArrayList<>();
        while (got.stream().distinct().count() < 100) {
            got.add(Integer.parseInt(atCloud.next().payload()));
        }
        assertThat(firstOccurrences(got)).isEqualTo(range(100));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(bridgeStatus(site))
                .containsEntry("connected", true).containsEntry("queued", 0L));
    }

    @Test
    void tlsToTheRemoteWithCaAndHostnameCheck() throws Exception {
        TestPki.Issued ca = TestPki.ca("bridge test CA");
        Path pki = dir.resolve("pki");
        java.nio.file.Files.createDirectories(pki);
        TestPki.brokerFiles(pki, ca);
        int tlsPort = MosquittoProcess.freePort();
        MosquittoProcess remote = keep(new MosquittoProcess(dir.resolve("mosquitto"), List.of(
                "listener " + tlsPort + " 127.0.0.1",
                "certfile " + pki.resolve("chain.pem"),
                "keyfile " + pki.resolve("key.pem"))).start());
        BrokerFixture site = local("ssl://127.0.0.1:" + tlsPort, "5",
                b -> b.setting("bridge.cloud.tls.caFile", pki.resolve("ca.pem").toString()));
        awaitSubscribed(site);
        PahoSupport.Recorder atCloud = new PahoSupport.Recorder();
        keep(PahoSupport.connect(remote.uri(), "cloud-app", true, atCloud)).subscribe("cloud/#", 1);
        MqttClient device = keep(PahoSupport.connect(site.uri(), "device", true, new PahoSupport.Recorder()));
        device.publish("site/telemetry/tls", "secret".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(atCloud.next().payload()).isEqualTo("secret");
    }

    @Test
    void tlsRefusesARemoteItDoesNotTrust() throws Exception {
        TestPki.Issued ca = TestPki.ca("bridge test CA");
        TestPki.Issued other = TestPki.ca("some other CA");
        Path pki = dir.resolve("pki");
        java.nio.file.Files.createDirectories(pki);
        TestPki.brokerFiles(pki, ca);
        TestPki.writeCertificates(pki.resolve("other.pem"), other.certificate());
        int tlsPort = MosquittoProcess.freePort();
        keep(new MosquittoProcess(dir.resolve("mosquitto"), List.of(
                "listener " + tlsPort + " 127.0.0.1",
                "certfile " + pki.resolve("chain.pem"),
                "keyfile " + pki.resolve("key.pem"))).start());
        BrokerFixture site = local("ssl://127.0.0.1:" + tlsPort, "5",
                b -> b.setting("bridge.cloud.tls.caFile", pki.resolve("other.pem").toString()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat((String) bridgeStatus(site)
                .get("lastError")).isNotNull());
        Map<String, Object> status = bridgeStatus(site);
        assertThat(status).containsEntry("connected", false);
        assertThat(((Number) status.get("reconnects")).longValue()).isPositive();
    }

    private Mqtt5BlockingClient hive(int port, String id) {
        Mqtt5BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion5().identifier(id)
                .serverHost("127.0.0.1").serverPort(port).buildBlocking();
        open.add(() -> {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        });
        return c;
    }

    private static void publishWithProperties(Mqtt5BlockingClient c, String topic, String payload) {
        c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload.getBytes(StandardCharsets.UTF_8))
                .contentType("text/plain").responseTopic("reply/" + payload)
                .correlationData("corr-".concat(payload).getBytes(StandardCharsets.UTF_8))
                .messageExpiryInterval(100)
                .userProperties().add("origin", payload).add("origin", "twice").applyUserProperties()
                .send();
    }

    private static void assertProperties(Mqtt5Publish m, String payload) {
        assertThat(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo(payload);
        assertThat(m.getContentType().map(Object::toString)).contains("text/plain");
        assertThat(m.getResponseTopic().map(Object::toString)).contains("reply/" + payload);
        assertThat(m.getCorrelationData().map(b -> StandardCharsets.UTF_8.decode(b).toString()))
                .contains("corr-" + payload);
        assertThat(m.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                .containsExactly("origin=" + payload, "origin=twice");
        assertThat(m.getMessageExpiryInterval().orElse(-1)).isBetween(1L, 100L);
    }

    /** A second VolantMQ as the cloud, reached over WebSocket; MQTT 5 properties survive both ways. */
    @Test
    void volantMqCloudOverWebSocketKeepsMqtt5PropertiesBothWays() throws Exception {
        BrokerFixture cloudBroker = keep(BrokerFixture.start(b -> b.listener("ws://127.0.0.1:0/mqtt")));
        int wsPort = cloudBroker.broker().boundAddresses().get(1).getPort();
        BrokerFixture site = local("ws://127.0.0.1:" + wsPort + "/mqtt", "5", b -> { });
        awaitSubscribed(site);

        Mqtt5BlockingClient cloud = hive(cloudBroker.port(), "cloud-app");
        cloud.connect();
        Mqtt5BlockingClient.Mqtt5Publishes atCloud = cloud.publishes(MqttGlobalPublishFilter.ALL);
        cloud.subscribeWith().topicFilter("cloud/site1/telemetry/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient device = hive(site.port(), "device");
        device.connect();
        Mqtt5BlockingClient.Mqtt5Publishes atSite = device.publishes(MqttGlobalPublishFilter.ALL);
        device.subscribeWith().topicFilter("site/commands/#").qos(MqttQos.AT_LEAST_ONCE).send();

        publishWithProperties(device, "site/telemetry/t", "up");
        Mqtt5Publish up = atCloud.receive(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(up.getTopic().toString()).isEqualTo("cloud/site1/telemetry/t");
        assertProperties(up, "up");

        publishWithProperties(cloud, "cloud/site1/commands/c", "down");
        Mqtt5Publish down = atSite.receive(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(down.getTopic().toString()).isEqualTo("site/commands/c");
        assertProperties(down, "down");
    }

    /** Message expiry runs while a message waits in the bridge's queue: an expired one is not sent. */
    @Test
    void messageExpiryCountsDownWhileQueued() throws Exception {
        MosquittoProcess remote = keep(new MosquittoProcess(dir.resolve("mosquitto"), List.of()));
        // the remote is down; the bridge tries every 4 to 8 s, so the cloud app below subscribes first
        BrokerFixture site = local(remote.uri(), "5", b -> b.setting("bridge.cloud.reconnectMin", "8000")
                .setting("bridge.cloud.reconnectMax", "8000"));
        Mqtt5BlockingClient device = hive(site.port(), "device");
        device.connect();
        device.publishWith().topic("site/telemetry/short").qos(MqttQos.AT_LEAST_ONCE)
                .payload("short".getBytes(StandardCharsets.UTF_8)).messageExpiryInterval(1).send();
        device.publishWith().topic("site/telemetry/long").qos(MqttQos.AT_LEAST_ONCE)
                .payload("long".getBytes(StandardCharsets.UTF_8)).messageExpiryInterval(60).send();
        assertThat(((Number) bridgeStatus(site).get("queued")).longValue()).isEqualTo(2);
        await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(10)).until(() -> true);
        remote.start();
        Mqtt5BlockingClient cloud = hive(remote.port(), "cloud-app");
        Mqtt5BlockingClient.Mqtt5Publishes atCloud = cloud.publishes(MqttGlobalPublishFilter.ALL);
        cloud.connect();
        cloud.subscribeWith().topicFilter("cloud/#").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5Publish m = atCloud.receive(30, TimeUnit.SECONDS).orElseThrow();
        assertThat(m.getTopic().toString()).isEqualTo("cloud/site1/telemetry/long");
        assertThat(m.getMessageExpiryInterval().orElse(-1)).isBetween(1L, 58L);
        assertThat(atCloud.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        Map<String, Object> status = bridgeStatus(site);
        assertThat(((Number) status.get("expired")).longValue()).isEqualTo(1);
        assertThat(((Number) status.get("queued")).longValue()).isZero();
    }

    static List<Integer> firstOccurrences(List<Integer> received) {
        List<Integer> first = new ArrayList<>();
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i : received) {
            if (seen.add(i)) {
                first.add(i);
            }
        }
        return first;
    }

    static List<Integer> range(int n) {
        List<Integer> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            r.add(i);
        }
        return r;
    }
}
