package io.volantmq.it;

import io.volantmq.broker.BrokerConfig;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Persistent sessions, clean sessions, takeover. */
class SessionIT {

    @Test
    void persistentSessionGetsWhatWasQueuedWhileOffline() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            PahoSupport.Recorder first = new PahoSupport.Recorder();
            MqttClient device = PahoSupport.connect(broker.uri(), "device-1", false, first);
            device.subscribe("cmd/device-1/#", 2);
            device.disconnect();
            device.close();

            MqttClient publisher = PahoSupport.connect(broker.uri(), "ops", true, new PahoSupport.Recorder());
            for (int i = 0; i < 20; i++) {
                // one QoS: order is promised per QoS level [MQTT-4.6.0-6], and Paho hands QoS 2 over only at PUBREL
                publisher.publish("cmd/device-1/set", ("c" + i).getBytes(), 1, false);
            }
            publisher.publish("cmd/device-1/q0", "dropped".getBytes(), 0, false); // QoS 0 is not queued by default

            PahoSupport.Recorder second = new PahoSupport.Recorder();
            MqttClient resumed = PahoSupport.client(broker.uri(), "device-1", second);
            IMqttToken token = resumed.connectWithResult(PahoSupport.options(false));
            assertThat(token.getSessionPresent()).isTrue();
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                got.add(second.next().payload());
            }
            assertThat(got).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 20).mapToObj(i -> "c" + i).toList());
            assertThat(second.poll(300)).isNull();
            resumed.disconnect();
            publisher.disconnect();
        }
    }

    @Test
    void offlineQos0IsQueuedWhenEnabled() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.offlineQos0(true))) {
            MqttClient device = PahoSupport.connect(broker.uri(), "q0-device", false, new PahoSupport.Recorder());
            device.subscribe("q0/#", 0);
            device.disconnect();
            device.close();
            MqttClient publisher = PahoSupport.connect(broker.uri(), "q0-ops", true, new PahoSupport.Recorder());
            publisher.publish("q0/x", "kept".getBytes(), 0, false);
            PahoSupport.Recorder received = new PahoSupport.Recorder();
            MqttClient resumed = PahoSupport.connect(broker.uri(), "q0-device", false, received);
            assertThat(received.next().payload()).isEqualTo("kept");
            resumed.disconnect();
            publisher.disconnect();
        }
    }

    @Test
    void cleanSessionDiscardsThePreviousSession() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            MqttClient device = PahoSupport.connect(broker.uri(), "device-2", false, new PahoSupport.Recorder());
            device.subscribe("cmd/device-2", 1);
            device.disconnect();
            device.close();

            PahoSupport.Recorder received = new PahoSupport.Recorder();
            MqttClient clean = PahoSupport.client(broker.uri(), "device-2", received);
            IMqttToken token = clean.connectWithResult(PahoSupport.options(true));
            assertThat(token.getSessionPresent()).isFalse(); // [MQTT-3.2.2-1]
            MqttClient publisher = PahoSupport.connect(broker.uri(), "ops-2", true, new PahoSupport.Recorder());
            publisher.publish("cmd/device-2", "x".getBytes(), 1, false);
            assertThat(received.poll(500)).as("old subscription is gone").isNull();
            clean.disconnect();
            publisher.disconnect();
        }
    }

    @Test
    void secondConnectionWithSameClientIdTakesOver() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            PahoSupport.Recorder firstRecorder = new PahoSupport.Recorder();
            MqttClient first = PahoSupport.connect(broker.uri(), "twin", false, firstRecorder);
            first.subscribe("twin/t", 1);
            PahoSupport.Recorder secondRecorder = new PahoSupport.Recorder();
            MqttClient second = PahoSupport.client(broker.uri(), "twin", secondRecorder);
            IMqttToken token = second.connectWithResult(PahoSupport.options(false));
            assertThat(token.getSessionPresent()).isTrue();
            await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !firstRecorder.lost.isEmpty());
            assertThat(first.isConnected()).isFalse();

            MqttClient publisher = PahoSupport.connect(broker.uri(), "twin-pub", true, new PahoSupport.Recorder());
            publisher.publish("twin/t", "to-second".getBytes(), 1, false);
            assertThat(secondRecorder.next().payload()).isEqualTo("to-second");
            second.disconnect();
            publisher.disconnect();
        }
    }

    @Test
    void refusePolicyKeepsTheFirstConnection() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(
                b -> b.duplicateClientPolicy(BrokerConfig.DuplicateClientPolicy.REFUSE))) {
            PahoSupport.Recorder firstRecorder = new PahoSupport.Recorder();
            MqttClient first = PahoSupport.connect(broker.uri(), "only-one", true, firstRecorder);
            MqttClient second = PahoSupport.client(broker.uri(), "only-one", new PahoSupport.Recorder());
            assertThatThrownBy(() -> second.connect(PahoSupport.options(true)))
                    .isInstanceOf(MqttException.class)
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
                            .isEqualTo((int) MqttException.REASON_CODE_INVALID_CLIENT_ID));
            assertThat(first.isConnected()).isTrue();
            assertThat(firstRecorder.lost).isEmpty();
            first.disconnect();
        }
    }

    @Test
    void sessionLimitRefusesWithServerUnavailable() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.maxSessionCount(1))) {
            MqttClient first = PahoSupport.connect(broker.uri(), "limit-1", true, new PahoSupport.Recorder());
            MqttClient second = PahoSupport.client(broker.uri(), "limit-2", new PahoSupport.Recorder());
            assertThatThrownBy(() -> second.connect(PahoSupport.options(true)))
                    .isInstanceOf(MqttException.class)
                    .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
                            .isEqualTo((int) MqttException.REASON_CODE_BROKER_UNAVAILABLE));
            first.disconnect();
        }
    }
}
