package io.volantmq.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The HiveMQ MQTT client in 3.1.1 mode. */
class HiveMqClientIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Mqtt3BlockingClient client(String id) {
        return MqttClient.builder().useMqttVersion3().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
    }

    @Test
    void exactlyOnceRoundTripAndRetained() throws Exception {
        Mqtt3BlockingClient subscriber = client("hive-sub");
        subscriber.connect();
        Mqtt3BlockingClient publisher = client("hive-pub");
        publisher.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter("hive/+").qos(MqttQos.EXACTLY_ONCE).send();
            for (int i = 0; i < 50; i++) {
                publisher.publishWith().topic("hive/t").qos(MqttQos.EXACTLY_ONCE).payload(("p" + i).getBytes()).send();
            }
            for (int i = 0; i < 50; i++) {
                Optional<Mqtt3Publish> p = publishes.receive(10, TimeUnit.SECONDS);
                assertThat(p).isPresent();
                assertThat(new String(p.get().getPayloadAsBytes())).isEqualTo("p" + i);
                assertThat(p.get().getQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
            }
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
        }
        publisher.publishWith().topic("hive/retained").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("kept".getBytes()).send();
        Mqtt3BlockingClient late = client("hive-late");
        late.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = late.publishes(MqttGlobalPublishFilter.ALL)) {
            late.subscribeWith().topicFilter("hive/retained").qos(MqttQos.AT_LEAST_ONCE).send();
            Optional<Mqtt3Publish> p = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(p).isPresent();
            assertThat(p.get().isRetain()).isTrue();
            assertThat(new String(p.get().getPayloadAsBytes())).isEqualTo("kept");
        }
        late.disconnect();
        subscriber.disconnect();
        publisher.disconnect();
    }

    @Test
    void persistentSessionResumesWithSessionPresent() throws Exception {
        Mqtt3BlockingClient device = client("hive-device");
        device.connectWith().cleanSession(false).send();
        device.subscribeWith().topicFilter("hive/cmd").qos(MqttQos.AT_LEAST_ONCE).send();
        device.disconnect();
        Mqtt3BlockingClient publisher = client("hive-ops");
        publisher.connect();
        publisher.publishWith().topic("hive/cmd").qos(MqttQos.AT_LEAST_ONCE).payload("reboot".getBytes()).send();
        publisher.disconnect();

        Mqtt3BlockingClient resumed = client("hive-device");
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = resumed.publishes(MqttGlobalPublishFilter.ALL)) {
            Mqtt3ConnAck connAck = resumed.connectWith().cleanSession(false).send();
            assertThat(connAck.isSessionPresent()).isTrue();
            Optional<Mqtt3Publish> p = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(p).isPresent();
            assertThat(new String(p.get().getPayloadAsBytes())).isEqualTo("reboot");
        }
        resumed.disconnect();
    }
}
