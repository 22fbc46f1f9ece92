package io.volantmq.it;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Publish/subscribe with Eclipse Paho over a real socket, MQTT 3.1.1 and 3.1. */
class PahoPubSubIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    void deliversEveryMessageInOrderAtEachQos(int qos) throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.connect(broker.uri(), "sub-q" + qos, true, received);
        subscriber.subscribe("pubsub/q" + qos, 2);
        MqttClient publisher = PahoSupport.connect(broker.uri(), "pub-q" + qos, true, new PahoSupport.Recorder());
        for (int i = 0; i < 200; i++) {
            publisher.publish("pubsub/q" + qos, ("m" + i).getBytes(), qos, false);
        }
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            PahoSupport.Received r = received.next();
            payloads.add(r.payload());
            assertThat(r.message().getQos()).isEqualTo(qos);
            assertThat(r.message().isRetained()).isFalse();
        }
        assertThat(payloads).containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 200).mapToObj(i -> "m" + i).toList());
        assertThat(received.poll(300)).as("no duplicate").isNull();
        publisher.disconnect();
        subscriber.disconnect();
    }

    @Test
    void downgradesToTheSubscriptionQos() throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.connect(broker.uri(), "sub-downgrade", true, received);
        subscriber.subscribe("downgrade/t", 1);
        MqttClient publisher = PahoSupport.connect(broker.uri(), "pub-downgrade", true, new PahoSupport.Recorder());
        publisher.publish("downgrade/t", "x".getBytes(), 2, false);
        assertThat(received.next().message().getQos()).isEqualTo(1);
        publisher.publish("downgrade/t", "y".getBytes(), 0, false);
        assertThat(received.next().message().getQos()).isZero();
        publisher.disconnect();
        subscriber.disconnect();
    }

    @Test
    void wildcardsMatchAndLeadingWildcardsSkipDollarTopics() throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.connect(broker.uri(), "sub-wild", true, received);
        subscriber.subscribe(new String[] {"wild/+/temp", "wild/tree/#", "#"}, new int[] {1, 1, 1});
        MqttClient publisher = PahoSupport.connect(broker.uri(), "pub-wild", true, new PahoSupport.Recorder());
        publisher.publish("$internal/x", "dollar".getBytes(), 1, false); // [MQTT-4.7.2-1]: '#' must not match
        publisher.publish("wild/kitchen/temp", "plus".getBytes(), 1, false);
        publisher.publish("wild/tree", "parent".getBytes(), 1, false); // "wild/tree/#" matches its parent
        List<String> got = new ArrayList<>();
        got.add(received.next().payload());
        got.add(received.next().payload());
        assertThat(received.poll(300)).as("one delivery per message despite overlapping filters").isNull();
        assertThat(got).containsExactly("plus", "parent");
        publisher.disconnect();
        subscriber.disconnect();
    }

    @Test
    void mqtt31ClientsInteroperateWith311() throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.client(broker.uri(), "sub-v31", received);
        MqttConnectOptions v31 = PahoSupport.options(true);
        v31.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
        subscriber.connect(v31);
        subscriber.subscribe("v31/t", 2);
        MqttClient publisher = PahoSupport.connect(broker.uri(), "pub-v311", true, new PahoSupport.Recorder());
        publisher.publish("v31/t", "hello".getBytes(), 2, false);
        assertThat(received.next().payload()).isEqualTo("hello");
        publisher.disconnect();
        subscriber.disconnect();
    }
}
