package io.volantmq.it;

import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Will;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Will messages and keep-alive, driven by a byte-exact client so the close is really abrupt. */
class WillAndKeepAliveIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Connect connectWithWill(String clientId, int keepAlive, String willTopic, boolean retain) {
        return new Connect(ProtocolVersion.MQTT_3_1_1, clientId, true, keepAlive, null, null,
                new Will(willTopic, "gone".getBytes(), 1, retain, null), null);
    }

    @Test
    void willIsPublishedWhenTheConnectionDrops() throws Exception {
        PahoSupport.Recorder watcher = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.connect(broker.uri(), "will-watch-1", true, watcher);
        subscriber.subscribe("status/w1", 1);
        RawClient device = new RawClient(broker.port());
        assertThat(device.connect(connectWithWill("w1", 60, "status/w1", false)).reasonCode()).isZero();
        device.abort();
        PahoSupport.Received will = watcher.next();
        assertThat(will.payload()).isEqualTo("gone");
        assertThat(will.message().getQos()).isEqualTo(1);
        subscriber.disconnect();
    }

    @Test
    void willIsNotPublishedAfterDisconnect() throws Exception {
        PahoSupport.Recorder watcher = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.connect(broker.uri(), "will-watch-2", true, watcher);
        subscriber.subscribe("status/w2", 1);
        try (RawClient device = new RawClient(broker.port())) {
            device.connect(connectWithWill("w2", 60, "status/w2", false));
            device.send(Disconnect.NORMAL); // [MQTT-3.14.4-3]
            assertThat(device.closedWithin(2000)).isTrue();
        }
        assertThat(watcher.poll(500)).isNull();
        subscriber.disconnect();
    }

    @Test
    void retainedWillIsStoredForLaterSubscribers() throws Exception {
        RawClient device = new RawClient(broker.port());
        device.connect(connectWithWill("w3", 60, "status/w3", true));
        device.abort();
        PahoSupport.Recorder late = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.connect(broker.uri(), "will-watch-3", true, late);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
            subscriber.unsubscribe("status/w3");
            subscriber.subscribe("status/w3", 1);
            PahoSupport.Received r = late.poll(500);
            assertThat(r).isNotNull();
            assertThat(r.message().isRetained()).isTrue();
            assertThat(r.payload()).isEqualTo("gone");
        });
        subscriber.disconnect();
    }

    @Test
    void silentClientIsDisconnectedAfterOneAndAHalfKeepAlivesAndItsWillSent() throws Exception {
        PahoSupport.Recorder watcher = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.connect(broker.uri(), "will-watch-4", true, watcher);
        subscriber.subscribe("status/w4", 1);
        try (RawClient device = new RawClient(broker.port())) {
            device.connect(connectWithWill("w4", 1, "status/w4", false));
            long start = System.nanoTime();
            assertThat(device.closedWithin(5000)).isTrue(); // [MQTT-3.1.2-24]
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMs).as("not before 1.5 x keep-alive").isGreaterThanOrEqualTo(1400);
        }
        assertThat(watcher.next().payload()).isEqualTo("gone");
        subscriber.disconnect();
    }

    @Test
    void pingsKeepAConnectionAlive() throws Exception {
        try (RawClient device = new RawClient(broker.port())) {
            device.connect(connectWithWill("w5", 1, "status/w5", false));
            for (int i = 0; i < 4; i++) {
                Thread.sleep(700);
                device.send(PingReq.INSTANCE);
                assertThat(device.receive()).isEqualTo(PingResp.INSTANCE);
            }
            device.send(Disconnect.NORMAL);
        }
    }
}
