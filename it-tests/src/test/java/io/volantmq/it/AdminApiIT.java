package io.volantmq.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.volantmq.broker.admin.Json;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Subscription;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.volantmq.it.Mqtt5Packets.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin HTTP endpoint against a running broker, with {@link HttpClient}: health, a Prometheus scrape
 * parsed and checked, and every API call (clients, the kick, subscriptions, retained messages, publish,
 * configuration) with and without credentials.
 */
class AdminApiIT {
    static final String TOKEN = "it-admin-token";
    private static BrokerFixture broker;
    private static Http http;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start(b -> b.setting("adminAddr", "127.0.0.1:0").setting("adminToken", TOKEN)
                .setting("tls.keyPassword", "not-shown"));
        http = new Http(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build(),
                "http://127.0.0.1:" + broker.broker().adminAddress().getPort());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** A small HttpClient wrapper; JSON bodies parsed with the broker's own parser (tested on its own). */
    record Http(HttpClient client, String base) {
        Response send(String method, String path, String token, String contentType, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                b.header("Authorization", token.contains(" ") ? token : "Bearer " + token);
            }
            if (contentType != null) {
                b.header("Content-Type", contentType);
            }
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().firstValue("content-type").orElse(""),
                    r.headers().firstValue("www-authenticate").orElse(null), r.body());
        }

        Response get(String path) throws Exception {
            return send("GET", path, TOKEN, null, null);
        }

        Response post(String path, String json) throws Exception {
            return send("POST", path, TOKEN, "application/json", json);
        }
    }

    record Response(int status, String contentType, String challenge, String body) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            assertThat(contentType).startsWith("application/json");
            return (Map<String, Object>) Json.parse(body);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ------------------------------------------------------------------ open endpoints

    @Test
    void healthIsReadableWithoutCredentials() throws Exception {
        Response r = http.send("GET", "/health", null, null, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).containsEntry("status", "UP").containsEntry("ready", true).containsEntry("live", true);
        assertThat(map(r.json().get("store"))).containsEntry("healthy", true);
        assertThat(http.send("GET", "/health/live", null, null, null).status()).isEqualTo(200);
        assertThat(http.send("GET", "/health/ready", null, null, null).status()).isEqualTo(200);
    }

    @Test
    void metricsAreScrapedInThePrometheusFormatWithTheirValues() throws Exception {
        Map<String, Double> before = PrometheusText.parse(http.send("GET", "/metrics", null, null, null).body());
        PahoSupport.Recorder inbox = new PahoSupport.Recorder();
        MqttClient sub = PahoSupport.connect(broker.uri(), "metrics-sub", true, inbox);
        sub.subscribe("metrics/#", 1);
        MqttClient pub = PahoSupport.connect(broker.uri(), "metrics-pub", true, new PahoSupport.Recorder());
        for (int i = 0; i < 5; i++) {
            pub.publish("metrics/" + i, "abcdefgh".getBytes(), 1, false);
        }
        for (int i = 0; i < 5; i++) {
            inbox.next();
        }
        Response scrape = http.send("GET", "/metrics", null, null, null);
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.contentType()).startsWith("text/plain; version=0.0.4");
        // state gauges come from a snapshot at most a second old: scrape until it shows both clients
        String listener = "volantmq_listener_clients{listener=\"tcp://127.0.0.1:" + broker.port() + "\"}";
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Map<String, Double> now = PrometheusText.parse(http.send("GET", "/metrics", null, null, null).body());
            return now.get("volantmq_clients_connected") >= 2 && now.get(listener) >= 2;
        });
        Map<String, Double> after = PrometheusText.parse(http.send("GET", "/metrics", null, null, null).body());
        assertThat(after.keySet()).containsAll(PrometheusText.DOCUMENTED);
        assertThat(delta(before, after, "volantmq_messages_received_total")).isEqualTo(5);
        assertThat(delta(before, after, "volantmq_messages_sent_total")).isEqualTo(5);
        assertThat(delta(before, after, "volantmq_messages_received_payload_bytes_total")).isEqualTo(40);
        assertThat(delta(before, after, "volantmq_packets_received_total{type=\"publish\"}")).isEqualTo(5);
        assertThat(delta(before, after, "volantmq_packets_sent_total{type=\"puback\"}")).isEqualTo(5);
        assertThat(delta(before, after, "volantmq_packets_received_total{type=\"subscribe\"}")).isEqualTo(1);
        assertThat(delta(before, after, "volantmq_clients_connects_total")).isEqualTo(2);
        assertThat(delta(before, after, "volantmq_bytes_received_bytes_total")).isGreaterThan(5 * 8);
        assertThat(after.get("volantmq_clients_connected")).isGreaterThanOrEqualTo(2);
        assertThat(after.get("volantmq_subscriptions")).isGreaterThanOrEqualTo(1);
        assertThat(after.get("volantmq_store_healthy")).isEqualTo(1);
        assertThat(after.get(listener)).isGreaterThanOrEqualTo(2);
        assertThat(after.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{area=\"heap\""));
        sub.disconnect();
        pub.disconnect();
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        assertThat(after).containsKey(series);
        return after.get(series) - before.getOrDefault(series, 0.0);
    }

    // ------------------------------------------------------------------ credentials

    @Test
    void everyApiCallIsRefusedWithoutCredentials() throws Exception {
        String[][] calls = {{"GET", "/api/clients"}, {"GET", "/api/clients/x"}, {"POST", "/api/clients/x/disconnect"},
                {"GET", "/api/subscriptions"}, {"GET", "/api/retained"}, {"DELETE", "/api/retained?topic=a"},
                {"POST", "/api/publish"}, {"GET", "/api/config"}};
        for (String[] call : calls) {
            for (String token : new String[] {null, "wrong-token", "Basic YWRtaW46YWRtaW4="}) {
                Response r = http.send(call[0], call[1], token, "application/json",
                        call[0].equals("POST") ? "{\"topic\":\"refused\"}" : null);
                assertThat(r.status()).as(call[0] + " " + call[1] + " with " + token).isEqualTo(401);
                assertThat(r.challenge()).startsWith("Bearer");
                assertThat(r.json()).containsKey("error");
            }
        }
        assertThat(broker.broker().context().retained().match("refused", System.currentTimeMillis())).isEmpty();
    }

    // ------------------------------------------------------------------ clients and the kick

    @Test
    void clientsAreListedAndLookedUpWithTheirDetails() throws Exception {
        try (RawClient device = new RawClient(broker.port())) {
            device.connect(Mqtt5Packets.connect("admin/dev 1", true, 30,
                    props(PropertyId.SESSION_EXPIRY_INTERVAL, 120L)));
            device.send(Mqtt5Packets.subscribe(1, Subscription.of("cmd/dev1/#", 1), null));
            device.receive();
            device.send(Mqtt5Packets.subscribe(2, Subscription.of("$share/grp/jobs/+", 0), null));
            device.receive();

            Response list = http.get("/api/clients?limit=1000");
            assertThat(list.status()).isEqualTo(200);
            List<?> clients = (List<?>) list.json().get("clients");
            assertThat(clients).anySatisfy(c -> assertThat(map(c)).containsEntry("clientId", "admin/dev 1"));

            Response one = http.get("/api/clients/" + encode("admin/dev 1"));
            assertThat(one.status()).isEqualTo(200);
            Map<String, Object> c = one.json();
            assertThat(c).containsEntry("clientId", "admin/dev 1").containsEntry("online", true)
                    .containsEntry("protocol", "MQTT 5.0").containsEntry("keepAlive", 30L)
                    .containsEntry("sessionExpiry", 120L).containsEntry("inflight", 0L).containsEntry("queued", 0L)
                    .containsEntry("listener", "tcp://127.0.0.1:" + broker.port());
            assertThat((String) c.get("address")).startsWith("127.0.0.1:");
            List<?> subs = (List<?>) c.get("subscriptions");
            assertThat(subs).hasSize(2);
            assertThat(map(subs.get(0))).containsEntry("filter", "cmd/dev1/#").containsEntry("qos", 1L);
            assertThat(map(subs.get(1))).containsEntry("filter", "$share/grp/jobs/+")
                    .containsEntry("shareGroup", "grp");

            Response subscriptions = http.get("/api/subscriptions?client=" + encode("admin/dev 1"));
            assertThat(subscriptions.json()).containsEntry("total", 2L);
        }
        assertThat(http.get("/api/clients/" + encode("no such client")).status()).isEqualTo(404);
    }

    @Test
    void anOfflineSessionShowsItsQueue() throws Exception {
        MqttClient persistent = PahoSupport.connect(broker.uri(), "admin-offline", false, new PahoSupport.Recorder());
        persistent.subscribe("admin-offline/#", 1);
        persistent.disconnect();
        persistent.close();
        MqttClient pub = PahoSupport.connect(broker.uri(), "admin-offline-pub", true, new PahoSupport.Recorder());
        pub.publish("admin-offline/a", "123".getBytes(), 1, false);
        pub.publish("admin-offline/b", "4567".getBytes(), 1, false);
        pub.disconnect();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Map<String, Object> c = http.get("/api/clients/admin-offline").json();
            return Boolean.FALSE.equals(c.get("online")) && Long.valueOf(2).equals(c.get("queued"));
        });
        Map<String, Object> c = http.get("/api/clients/admin-offline").json();
        assertThat(c).containsEntry("queuedBytes", 7L).containsEntry("protocol", "MQTT 3.1.1")
                .containsEntry("sessionExpiry", "never").containsEntry("address", null)
                .containsEntry("keepAlive", null);
        assertThat(c.get("disconnectedAt")).isNotNull();
    }

    @Test
    void theKickedMqtt5ClientGetsDisconnect0x98AndOneLogLine() throws Exception {
        Logger adminLog = (Logger) LoggerFactory.getLogger("io.volantmq.broker.admin.AdminHandler");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Level level = adminLog.getLevel();
        adminLog.setLevel(Level.INFO); // the tests' root logger says WARN
        adminLog.addAppender(appender);
        try (RawClient victim = new RawClient(broker.port())) {
            victim.connect(Mqtt5Packets.connect("kick-me", true, 60, props(PropertyId.SESSION_EXPIRY_INTERVAL, 60L)));
            Response r = http.post("/api/clients/kick-me/disconnect", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json()).containsEntry("disconnected", true);
            MqttMessage m = victim.receive();
            assertThat(m).isInstanceOf(Disconnect.class);
            assertThat(((Disconnect) m).reasonCode()).isEqualTo(ReasonCode.ADMINISTRATIVE_ACTION);
            assertThat(victim.closedWithin(5000)).isTrue();
        } finally {
            adminLog.detachAppender(appender);
            adminLog.setLevel(level);
        }
        List<ILoggingEvent> lines = appender.list.stream()
                .filter(e -> e.getFormattedMessage().contains("kick-me")).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).getLevel()).isEqualTo(Level.INFO);
        assertThat(lines.get(0).getFormattedMessage()).contains("token").contains("disconnected client 'kick-me'");
        // the session outlives the kick as its expiry says, offline
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Boolean.FALSE.equals(http.get("/api/clients/kick-me").json().get("online")));
        Response again = http.post("/api/clients/kick-me/disconnect", null);
        assertThat(again.status()).isEqualTo(404);
    }

    @Test
    void aKicked311ClientIsClosed() throws Exception {
        PahoSupport.Recorder recorder = new PahoSupport.Recorder();
        MqttClient client = PahoSupport.connect(broker.uri(), "kick-311", true, recorder);
        assertThat(http.post("/api/clients/kick-311/disconnect", "").status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.lost.isEmpty());
        assertThat(client.isConnected()).isFalse();
        client.close();
    }

    // ------------------------------------------------------------------ retained, publish, config

    @Test
    void retainedMessagesAreListedAndDeleted() throws Exception {
        MqttClient pub = PahoSupport.connect(broker.uri(), "admin-retainer", true, new PahoSupport.Recorder());
        pub.publish("admin-ret/a", "alpha".getBytes(), 1, true);
        pub.publish("admin-ret/b", "beta".getBytes(), 0, true);
        pub.disconnect();
        Response list = http.get("/api/retained?filter=" + encode("admin-ret/#"));
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json()).containsEntry("total", 2L);
        Map<String, Object> a = map(((List<?>) list.json().get("messages")).get(0));
        assertThat(a).containsEntry("topic", "admin-ret/a").containsEntry("payload", "alpha").containsEntry("qos", 1L)
                .containsEntry("bytes", 5L);
        assertThat(http.get("/api/retained").json().get("total")).isInstanceOf(Long.class);

        Response deleted = http.send("DELETE", "/api/retained?topic=" + encode("admin-ret/a"), TOKEN, null, null);
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(http.get("/api/retained?filter=" + encode("admin-ret/#")).json()).containsEntry("total", 1L);
        assertThat(http.send("DELETE", "/api/retained?topic=" + encode("admin-ret/a"), TOKEN, null, null).status())
                .isEqualTo(404);
        // a new subscriber gets only what is left
        PahoSupport.Recorder inbox = new PahoSupport.Recorder();
        MqttClient sub = PahoSupport.connect(broker.uri(), "admin-ret-sub", true, inbox);
        sub.subscribe("admin-ret/#", 1);
        assertThat(inbox.next().topic()).isEqualTo("admin-ret/b");
        sub.disconnect();
    }

    @Test
    void aMessagePublishedThroughTheApiReachesSubscribers() throws Exception {
        PahoSupport.Recorder inbox = new PahoSupport.Recorder();
        MqttClient sub = PahoSupport.connect(broker.uri(), "admin-pub-sub", true, inbox);
        sub.subscribe("admin-pub/#", 2);
        Response r = http.post("/api/publish",
                "{\"topic\":\"admin-pub/x\",\"payload\":\"héllo\",\"qos\":1,\"retain\":true}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json()).containsEntry("routed", true).containsEntry("bytes", 6L);
        PahoSupport.Received got = inbox.next();
        assertThat(got.topic()).isEqualTo("admin-pub/x");
        assertThat(new String(got.message().getPayload(), StandardCharsets.UTF_8)).isEqualTo("héllo");
        assertThat(got.message().getQos()).isEqualTo(1);
        assertThat(broker.broker().context().retained().match("admin-pub/x", System.currentTimeMillis())).hasSize(1);

        Response binary = http.post("/api/publish", "{\"topic\":\"admin-pub/bin\",\"payloadBase64\":\"AAEC/w==\"}");
        assertThat(binary.status()).isEqualTo(200);
        assertThat(inbox.next().message().getPayload()).containsExactly(0, 1, 2, 0xFF);
        sub.disconnect();
    }

    @Test
    void badInputIsRefusedWith400AndAJsonError() throws Exception {
        for (String body : new String[] {"", "{", "{\"topic\":\"a/+\"}", "{\"topic\":\"a\",\"qos\":5}",
                "{\"topic\":\"a\",\"extra\":1}", "{\"topic\":7}"}) {
            Response r = http.post("/api/publish", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.json().get("error")).isInstanceOf(String.class);
        }
        assertThat(http.send("POST", "/api/publish", TOKEN, "text/plain", "{\"topic\":\"a\"}").status()).isEqualTo(415);
        assertThat(http.get("/api/clients?limit=-5").status()).isEqualTo(400);
        assertThat(http.get("/api/retained?filter=" + encode("a/#/b")).status()).isEqualTo(400);
        assertThat(http.get("/api/nothing").status()).isEqualTo(404);
        assertThat(http.send("PUT", "/api/config", TOKEN, null, null).status()).isEqualTo(405);
        // bodies are bounded: 413 before anything is parsed
        String huge = "{\"topic\":\"big\",\"payload\":\"" + "x".repeat(70_000) + "\"}";
        Response tooBig = http.post("/api/publish", huge);
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(broker.broker().context().retained().match("big", System.currentTimeMillis())).isEmpty();
    }

    @Test
    void theConfigurationIsShownWithSecretsMasked() throws Exception {
        Response r = http.get("/api/config");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).doesNotContain(TOKEN).doesNotContain("not-shown");
        Map<String, Object> settings = map(r.json().get("settings"));
        assertThat(settings).containsEntry("adminToken", "******").containsEntry("tls.keyPassword", "******")
                .containsEntry("adminAddr", "127.0.0.1:0");
        assertThat(r.json()).containsEntry("nodeName", "volantmq").containsEntry("persistence", "memory");
    }

    // ------------------------------------------------------------------ Prometheus text

    /** Parses the Prometheus text format (0.0.4) into series -> value; comments skipped. */
    static final class PrometheusText {
        /** Every metric name the README documents (Prometheus spelling), all present on any broker. */
        static final List<String> DOCUMENTED = List.of(
                "volantmq_packets_received_total{type=\"publish\"}", "volantmq_packets_sent_total{type=\"publish\"}",
                "volantmq_bytes_received_bytes_total", "volantmq_bytes_sent_bytes_total",
                "volantmq_messages_received_total", "volantmq_messages_sent_total",
                "volantmq_messages_received_payload_bytes_total", "volantmq_messages_sent_payload_bytes_total",
                "volantmq_clients_connects_total", "volantmq_clients_disconnects_total",
                "volantmq_sessions_expired_total", "volantmq_messages_dropped_total{reason=\"expired\"}",
                "volantmq_messages_dropped_total{reason=\"acl\"}",
                "volantmq_messages_dropped_total{reason=\"queue_full\"}",
                "volantmq_messages_dropped_total{reason=\"oversize\"}",
                "volantmq_messages_dropped_total{reason=\"slow_consumer\"}", "volantmq_messages_routed_total",
                "volantmq_messages_unrouted_total", "volantmq_clients_connected", "volantmq_sessions",
                "volantmq_sessions_offline", "volantmq_subscriptions", "volantmq_subscriptions_shared",
                "volantmq_retained_messages", "volantmq_store_messages", "volantmq_store_messages_payload_bytes",
                "volantmq_store_healthy", "volantmq_store_failed_calls_total", "volantmq_uptime_seconds",
                "process_uptime_seconds", "jvm_threads_live_threads", "system_cpu_count");

        static Map<String, Double> parse(String text) {
            Map<String, Double> series = new java.util.LinkedHashMap<>();
            for (String line : text.split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int space = line.lastIndexOf(' ');
                series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
            return series;
        }
    }
}
