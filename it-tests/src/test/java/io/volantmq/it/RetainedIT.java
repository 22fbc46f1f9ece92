package io.volantmq.it;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Retained messages: stored, replaced, deleted by an empty payload, delivered on subscribe with retain set. */
class RetainedIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void lastRetainedMessageIsDeliveredOnSubscribeWithRetainFlag() throws Exception {
        MqttClient publisher = PahoSupport.connect(broker.uri(), "ret-pub", true, new PahoSupport.Recorder());
        publisher.publish("retained/a", "first".getBytes(), 1, true);
        publisher.publish("retained/a", "second".getBytes(), 1, true);
        publisher.publish("retained/b", "other".getBytes(), 0, true);

        PahoSupport.Recorder received = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.connect(broker.uri(), "ret-sub", true, received);
        subscriber.subscribe("retained/a", 2);
        PahoSupport.Received r = received.next();
        assertThat(r.payload()).isEqualTo("second");
        assertThat(r.message().isRetained()).isTrue(); // [MQTT-3.3.1-8]
        assertThat(r.message().getQos()).isEqualTo(1);
        assertThat(received.poll(300)).isNull();

        // a live publish with retain set reaches an existing subscription with retain 0 [MQTT-3.3.1-9]
        publisher.publish("retained/a", "third".getBytes(), 1, true);
        PahoSupport.Received live = received.next();
        assertThat(live.payload()).isEqualTo("third");
        assertThat(live.message().isRetained()).isFalse();

        publisher.disconnect();
        subscriber.disconnect();
    }

    @Test
    void emptyPayloadDeletesTheRetainedMessage() throws Exception {
        MqttClient publisher = PahoSupport.connect(broker.uri(), "ret-del-pub", true, new PahoSupport.Recorder());
        publisher.publish("retained/gone", "x".getBytes(), 1, true);
        publisher.publish("retained/gone", new byte[0], 1, true); // [MQTT-3.3.1-10]

        PahoSupport.Recorder received = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.connect(broker.uri(), "ret-del-sub", true, received);
        subscriber.subscribe("retained/#", 1);
        for (PahoSupport.Received r = received.poll(500); r != null; r = received.poll(300)) {
            assertThat(r.topic()).isNotEqualTo("retained/gone");
        }
        publisher.disconnect();
        subscriber.disconnect();
    }
}
