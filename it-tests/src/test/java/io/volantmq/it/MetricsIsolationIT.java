package io.volantmq.it;

import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.props;
import static io.volantmq.it.Mqtt5Packets.publish;
import static io.volantmq.it.Mqtt5Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two brokers in one JVM (tests, embedders) count on their own: a message one broker drops does not show on
 * the other's {@code /metrics}. The oversize and slow-consumer drop counts were once JVM-wide statics.
 */
class MetricsIsolationIT {
    private static final String OVERSIZE = "volantmq_messages_dropped_total{reason=\"oversize\"}";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void anOversizeDropOnOneBrokerIsNotCountedByAnother() throws Exception {
        try (BrokerFixture a = BrokerFixture.start(b -> b.setting("adminAddr", "127.0.0.1:0"));
             BrokerFixture b = BrokerFixture.start(c -> c.setting("adminAddr", "127.0.0.1:0"))) {
            double aBefore = scrape(a).getOrDefault(OVERSIZE, 0.0);
            double bBefore = scrape(b).getOrDefault(OVERSIZE, 0.0);
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
        }
    }

    private Map<String, Double> scrape(BrokerFixture broker) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + broker.broker().adminAddress().getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return AdminApiIT.PrometheusText.parse(response.body());
    }
}
