package io.volantmq.it;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.props;
import static io.volantmq.it.Mqtt5Packets.publish;
import static io.volantmq.it.Mqtt5Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two brokers in one JVM (tests, embedders) count on their own: a message one broker drops does not show on
 * the other's {@code /metrics} or {@code $SYS}. The oversize and slow-consumer drop counts were once JVM-wide statics.
 */
class MetricsIsolationIT {
    private static final String OVERSIZE = "volantmq_messages_dropped_total{reason=\"oversize\"}";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void anOversizeDropOnOneBrokerIsNotCountedByAnother() throws Exception {
        try (BrokerFixture a = BrokerFixture.start(MetricsIsolationIT::observable);
             BrokerFixture b = BrokerFixture.start(MetricsIsolationIT::observable);
             RawClient aSys = sysWatcher(a); RawClient bSys = sysWatcher(b)) {
            double aBefore = scrape(a).getOrDefault(OVERSIZE, 0.0);
            double bBefore = scrape(b).getOrDefault(OVERSIZE, 0.0);
            assertThat(sysValue(bSys, 10_000)).isEqualTo("0"); // the retained value
            assertThat(sysValue(aSys, 10_000)).isEqualTo("0");
            try (RawClient small = new RawClient(a.port()); RawClient pub = new RawClient(a.port())) {
                small.connect(connect("iso-small", true, 60, props(PropertyId.MAXIMUM_PACKET_SIZE, 100L)));
                small.send(subscribe(1, Subscription.of("iso/#", 1), null));
                small.receive();
                pub.connect(connect("iso-pub"));
                pub.send(publish("iso/big", 1, 1, "x".repeat(200), Properties.EMPTY));
                pub.receive();
                pub.send(publish("iso/small", 1, 2, "ok", Properties.EMPTY));
                pub.receive();
                // the small one arrives after the big one was skipped [MQTT-3.1.2-25]: the drop is counted by now
                assertThat(((Publish) small.receive()).topic()).isEqualTo("iso/small");
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> scrape(a).getOrDefault(OVERSIZE, 0.0) - aBefore == 1.0);
            assertThat(bBefore).isZero(); // a fresh broker has dropped nothing
            assertThat(scrape(b).get(OVERSIZE)).isZero();
            // $SYS publishes changes once a second: A's shows the drop; B's, three updates later, still nothing
            assertThat(sysValues(aSys, 10_000, "1")).contains("1");
            assertThat(sysValues(bSys, 3_000, null)).allMatch("0"::equals);
        }
    }

    private static void observable(BrokerConfig.Builder config) {
        config.setting("adminAddr", "127.0.0.1:0").setting("systreeUpdateInterval", "1");
    }

    /** A client that hears {@code $SYS/broker/messages/dropped/oversize}. */
    private static RawClient sysWatcher(BrokerFixture broker) throws Exception {
        RawClient client = new RawClient(broker.port());
        client.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "sys-watcher", true, 0, null, null, null, null));
        client.send(new Subscribe(1, List.of(Subscription.of("$SYS/broker/messages/dropped/oversize", 0)), null));
        client.receive(); // SUBACK
        return client;
    }

    /**
     * The values published within {@code millis} (unchanged ones come again on a full update), up to the first
     * that equals {@code until}.
     */
    private static List<String> sysValues(RawClient client, int millis, String until) throws Exception {
        List<String> values = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        for (long left = millis; left > 0; left = (deadline - System.nanoTime()) / 1_000_000L) {
            String value = sysValue(client, (int) left);
            if (value == null) {
                break;
            }
            values.add(value);
            if (value.equals(until)) {
                break;
            }
        }
        return values;
    }

    /** The next value published, or null when none comes within {@code millis}. */
    private static String sysValue(RawClient client, int millis) throws Exception {
        MqttMessage m = client.receiveOrNull(millis);
        return m == null ? null : new String(((Publish) m).payload(), StandardCharsets.UTF_8);
    }

    private Map<String, Double> scrape(BrokerFixture broker) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + broker.broker().adminAddress().getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return AdminApiIT.PrometheusText.parse(response.body());
    }
}
