package io.volantmq.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5SubscribeBuilder;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounds on what one client can make the broker hold (issue 18, items 7 and 17), with real clients:
 * HiveMQ in MQTT 5, Paho in 3.1.1, and the raw client where a library would not misbehave.
 */
class ResourceLimitsIT {
    private static final int QUOTA_EXCEEDED = 0x97;

    private static Mqtt5BlockingClient hive5(BrokerFixture broker, String id) {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        client.connect();
        return client;
    }

    private static List<Integer> subscribe(Mqtt5BlockingClient client, String... filters) {
        Mqtt5SubscribeBuilder.Start builder = Mqtt5Subscribe.builder();
        Mqtt5SubscribeBuilder.Complete complete = null;
        for (String f : filters) {
            complete = (complete == null ? builder : complete).addSubscription().topicFilter(f)
                    .qos(MqttQos.AT_LEAST_ONCE).applySubscription();
        }
        List<Mqtt5SubAckReasonCode> codes;
        try {
            codes = client.subscribe(complete.build()).getReasonCodes();
        } catch (Mqtt5SubAckException e) {
            codes = e.getMqttMessage().getReasonCodes();
        }
        return codes.stream().map(Mqtt5SubAckReasonCode::getCode).toList();
    }

    private static int publishRetainedQos1(Mqtt5BlockingClient client, String topic, String payload) {
        try {
            Mqtt5PublishResult result = client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(true)
                    .payload(payload.getBytes()).send();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode().getCode();
        } catch (Mqtt5PubAckException e) {
            return e.getMqttMessage().getReasonCode().getCode();
        }
    }

    private static void assertPubRec(MqttMessage message, int packetId) {
        assertThat(message).isInstanceOfSatisfying(PubReply.class, r -> {
            assertThat(r.type()).isEqualTo(PacketType.PUBREC);
            assertThat(r.packetId()).isEqualTo(packetId);
        });
    }

    @Test
    void connackAnnouncesAReceiveMaximumOf64ByDefault() {
        try (BrokerFixture broker = BrokerFixture.start()) {
            Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("rm")
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
            assertThat(client.connect().getRestrictions().getReceiveMaximum()).isEqualTo(64);
            client.disconnect();
        }
    }

    @Test
    void a3xClientHoldingTooManyUnreleasedQos2IdsIsDisconnected() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("receiveMaximumV3", "3"));
             RawClient client = new RawClient(broker.port())) {
            client.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "qos2-hoarder", true, 60, null, null, null, null));
            for (int id = 1; id <= 3; id++) {
                client.send(new Publish("q2/t", 2, false, false, id, new byte[] {1}, Properties.EMPTY));
                assertPubRec(client.receive(), id);
            }
            // a resend of a held id is no new one [MQTT-4.3.3-10]; PUBREL is never sent
            client.send(new Publish("q2/t", 2, false, true, 1, new byte[] {1}, Properties.EMPTY));
            assertPubRec(client.receive(), 1);
            client.send(new Publish("q2/t", 2, false, false, 4, new byte[] {1}, Properties.EMPTY));
            assertThat(client.closedWithin(5000)).isTrue();
            assertThat(broker.broker().metrics().limitRefusals(BrokerMetrics.Limit.INBOUND_QOS2)).isEqualTo(1);
        }
    }

    @Test
    void subscriptionsPerClientAndFiltersPerSubscribeAreBounded() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("maxSubscriptionsPerClient", "4")
                .setting("maxFiltersPerSubscribe", "3"))) {
            Mqtt5BlockingClient v5 = hive5(broker, "many-subs");
            assertThat(subscribe(v5, "a", "b", "c", "d")).containsExactly(1, 1, 1, QUOTA_EXCEEDED);
            assertThat(subscribe(v5, "e")).containsExactly(1);
            assertThat(subscribe(v5, "f")).containsExactly(QUOTA_EXCEEDED); // a fifth subscription
            assertThat(subscribe(v5, "a")).containsExactly(1); // replacing one is no new one
            v5.disconnect();

            org.eclipse.paho.client.mqttv3.MqttClient v3 = PahoSupport.connect(broker.uri(), "many-subs-3", true,
                    new PahoSupport.Recorder());
            IMqttToken token = v3.subscribeWithResponse(new String[] {"a", "b", "c", "d"}, new int[] {1, 1, 1, 1});
            assertThat(token.getGrantedQos()).containsExactly(1, 1, 1, 0x80);
            v3.disconnect();
            v3.close();
            assertThat(broker.broker().metrics().limitRefusals(BrokerMetrics.Limit.SUBSCRIBE_FILTERS)).isEqualTo(2);
            assertThat(broker.broker().metrics().limitRefusals(BrokerMetrics.Limit.SUBSCRIPTIONS)).isEqualTo(1);
        }
    }

    @Test
    void retainedMessagesBeyondTheBoundAreNotRetained() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("maxRetainedMessages", "2"))) {
            Mqtt5BlockingClient watcher = hive5(broker, "watcher");
            try (Mqtt5BlockingClient.Mqtt5Publishes seen = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
                subscribe(watcher, "r/#");
                Mqtt5BlockingClient publisher = hive5(broker, "retainer");
                assertThat(publishRetainedQos1(publisher, "r/1", "one")).isZero();
                assertThat(publishRetainedQos1(publisher, "r/2", "two")).isZero();
                assertThat(publishRetainedQos1(publisher, "r/1", "one again")).isZero(); // replaces, fits
                // MQTT 5 QoS 1: refused with 0x97, so neither retained nor routed
                assertThat(publishRetainedQos1(publisher, "r/3", "three")).isEqualTo(QUOTA_EXCEEDED);
                // QoS 0 has no acknowledgement: routed, not retained
                publisher.publishWith().topic("r/4").qos(MqttQos.AT_MOST_ONCE).retain(true)
                        .payload("four".getBytes()).send();
                for (String expected : List.of("r/1", "r/2", "r/1", "r/4")) {
                    Optional<Mqtt5Publish> p = seen.receive(10, TimeUnit.SECONDS);
                    assertThat(p).isPresent();
                    assertThat(p.get().getTopic().toString()).isEqualTo(expected);
                }
                assertThat(seen.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
                publisher.disconnect();
            }
            watcher.disconnect();

            // 3.1.1: acknowledged and routed as before, but not retained
            PahoSupport.Recorder live = new PahoSupport.Recorder();
            org.eclipse.paho.client.mqttv3.MqttClient sub3 = PahoSupport.connect(broker.uri(), "live3", true, live);
            sub3.subscribe("r/5", 1);
            org.eclipse.paho.client.mqttv3.MqttClient pub3 = PahoSupport.connect(broker.uri(), "pub3", true,
                    new PahoSupport.Recorder());
            pub3.publish("r/5", "five".getBytes(), 1, true);
            assertThat(live.next().topic()).isEqualTo("r/5");

            Mqtt5BlockingClient late = hive5(broker, "late");
            try (Mqtt5BlockingClient.Mqtt5Publishes retained = late.publishes(MqttGlobalPublishFilter.ALL)) {
                subscribe(late, "r/#");
                List<String> topics = new java.util.ArrayList<>();
                for (Optional<Mqtt5Publish> p = retained.receive(2, TimeUnit.SECONDS); p.isPresent();
                     p = retained.receive(500, TimeUnit.MILLISECONDS)) {
                    topics.add(p.get().getTopic().toString());
                }
                assertThat(topics).containsExactlyInAnyOrder("r/1", "r/2");
            }
            late.disconnect();
            pub3.disconnect();
            pub3.close();
            sub3.disconnect();
            sub3.close();
            assertThat(broker.broker().context().retained().counted()).isEqualTo(2);
            assertThat(broker.broker().metrics().limitRefusals(BrokerMetrics.Limit.RETAINED)).isEqualTo(3);
        }
    }

    @Test
    void retainedMessagesOnSubscribeGoThroughTheQueueBound() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.maxQueuedMessages(10))) {
            Mqtt5BlockingClient publisher = hive5(broker, "filler");
            for (int i = 0; i < 100; i++) {
                assertThat(publishRetainedQos1(publisher, "many/" + i, "m" + i)).isLessThan(0x80); // 0x10: no one yet
            }
            publisher.disconnect();
            // a subscriber that never acknowledges: what it is sent is what was queued for it
            try (RawClient slow = new RawClient(broker.port())) {
                slow.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "slow", true, 60, null, null, null, null));
                slow.send(new Subscribe(1, List.of(Subscription.of("many/#", 1)), null));
                assertThat(slow.receive()).isInstanceOf(SubAck.class);
                int received = 0;
                for (MqttMessage m = slow.receiveOrNull(2000); m != null; m = slow.receiveOrNull(500)) {
                    received++;
                }
                assertThat(received).as("retained messages sent past a 10-message queue bound").isEqualTo(10);
                assertThat(broker.broker().droppedQueuedMessages()).isEqualTo(90);
            }
        }
    }
}
