package io.volantmq.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.props;
import static io.volantmq.it.Mqtt5Packets.publish;
import static io.volantmq.it.Mqtt5Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/** The broker sends topic aliases to MQTT 5 clients that accept them (3.3.2.3.4). */
class Mqtt5OutboundAliasIT {

    /** Topic and alias of each PUBLISH as it came over the wire: "topic#alias" ("#null" for none). */
    private static List<String> receiveAndAck(RawClient client, int count) throws Exception {
        List<String> wire = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MqttMessage m = client.receive();
            assertThat(m).isInstanceOf(Publish.class);
            Publish p = (Publish) m;
            wire.add(p.topic() + "#" + p.properties().getInt(PropertyId.TOPIC_ALIAS));
            if (p.qos() == 1) {
                client.send(PubReply.of(PacketType.PUBACK, p.packetId()));
            }
        }
        return wire;
    }

    private static RawClient subscriber(BrokerFixture broker, String id, int aliasMaximum, long expiry, boolean clean)
            throws Exception {
        RawClient sub = new RawClient(broker.port());
        sub.connect(connect(id, clean, 60, props(PropertyId.TOPIC_ALIAS_MAXIMUM, aliasMaximum,
                PropertyId.SESSION_EXPIRY_INTERVAL, expiry)));
        return sub;
    }

    @Test
    void secondMessageOnATopicComesWithAnEmptyTopicAndTheAliasAndTheLeastRecentlyUsedIsRemapped() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start();
             RawClient sub = subscriber(broker, "alias-sub", 2, 0, true);
             RawClient pub = new RawClient(broker.port())) {
            sub.send(subscribe(1, Subscription.of("al/#", 1), null));
            assertThat(sub.receive()).isInstanceOf(SubAck.class);
            pub.connect(connect("alias-pub"));
            String[] topics = {"al/a", "al/a", "al/b", "al/a", "al/c", "al/b", "al/c"};
            for (int i = 0; i < topics.length; i++) {
                pub.send(publish(topics[i], 1, i + 1, "m" + i, null));
                assertThat(pub.receive()).isInstanceOf(PubReply.class);
            }
            assertThat(receiveAndAck(sub, topics.length)).containsExactly(
                    "al/a#1", "#1", "al/b#2", "#1", "al/c#2", "al/b#1", "#2");
        }
    }

    @Test
    void noAliasesWhenTheSettingIsOffOrTheClientTakesNone() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("outboundTopicAliases", "false"));
             RawClient sub = subscriber(broker, "no-alias-sub", 10, 0, true);
             RawClient pub = new RawClient(broker.port())) {
            sub.send(subscribe(1, Subscription.of("na/#", 1), null));
            assertThat(sub.receive()).isInstanceOf(SubAck.class);
            pub.connect(connect("no-alias-pub"));
            for (int i = 0; i < 3; i++) {
                pub.send(publish("na/t", 1, i + 1, "m" + i, null));
                assertThat(pub.receive()).isInstanceOf(PubReply.class);
            }
            assertThat(receiveAndAck(sub, 3)).containsExactly("na/t#null", "na/t#null", "na/t#null");
        }
        try (BrokerFixture broker = BrokerFixture.start();
             RawClient sub = new RawClient(broker.port());
             RawClient pub = new RawClient(broker.port())) {
            sub.connect(connect("zero-alias-sub")); // no Topic Alias Maximum: it takes none [MQTT-3.1.2-27]
            sub.send(subscribe(1, Subscription.of("na/#", 1), null));
            assertThat(sub.receive()).isInstanceOf(SubAck.class);
            pub.connect(connect("zero-alias-pub"));
            for (int i = 0; i < 2; i++) {
                pub.send(publish("na/t", 1, i + 1, "m" + i, null));
                assertThat(pub.receive()).isInstanceOf(PubReply.class);
            }
            assertThat(receiveAndAck(sub, 2)).containsExactly("na/t#null", "na/t#null");
        }
    }

    @Test
    void aMessageResentAfterReconnectCarriesItsFullTopicAndAliasesStartAfresh() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(); RawClient pub = new RawClient(broker.port())) {
            RawClient first = subscriber(broker, "resend-sub", 5, 300, true);
            first.send(subscribe(1, Subscription.of("rs/#", 1), null));
            assertThat(first.receive()).isInstanceOf(SubAck.class);
            pub.connect(connect("resend-pub"));
            pub.send(publish("rs/t", 1, 1, "one", null));
            pub.receive();
            pub.send(publish("rs/t", 1, 2, "two", null));
            pub.receive();
            Publish one = (Publish) first.receive();
            Publish two = (Publish) first.receive();
            assertThat(one.topic() + "#" + one.properties().getInt(PropertyId.TOPIC_ALIAS)).isEqualTo("rs/t#1");
            assertThat(two.topic() + "#" + two.properties().getInt(PropertyId.TOPIC_ALIAS)).isEqualTo("#1");
            first.abort(); // neither is acknowledged

            try (RawClient again = subscriber(broker, "resend-sub", 5, 300, false)) {
                Publish dupOne = (Publish) again.receive();
                Publish dupTwo = (Publish) again.receive();
                for (Publish dup : List.of(dupOne, dupTwo)) {
                    assertThat(dup.dup()).isTrue();
                    assertThat(dup.topic()).isEqualTo("rs/t");
                    assertThat(dup.properties().contains(PropertyId.TOPIC_ALIAS)).isFalse();
                    again.send(PubReply.of(PacketType.PUBACK, dup.packetId()));
                }
                pub.send(publish("rs/t", 1, 3, "three", null));
                pub.receive();
                // the old connection's mapping is gone: the topic is mapped again
                assertThat(receiveAndAck(again, 1)).containsExactly("rs/t#1");
            }
        }
    }

    @Test
    void hiveMqClientWithFewerAliasesThanTopicsGetsEveryTopicRight() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("ioThreads", "2"))) {
            Mqtt5BlockingClient sub = MqttClient.builder().useMqttVersion5().identifier("hive-alias-sub")
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
            sub.connectWith().restrictions().topicAliasMaximum(3).applyRestrictions().send();
            Mqtt5BlockingClient pub = MqttClient.builder().useMqttVersion5().identifier("hive-alias-pub")
                    .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
            pub.connect();
            int messages = 600;
            try (Mqtt5BlockingClient.Mqtt5Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                sub.subscribeWith().topicFilter("hv/#").qos(MqttQos.AT_LEAST_ONCE).send();
                Random random = new Random(42);
                for (int i = 0; i < messages; i++) {
                    String topic = "hv/sensor/" + random.nextInt(10); // 10 topics over 3 aliases
                    pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                            .payload((topic + "|" + i).getBytes(StandardCharsets.UTF_8)).send();
                }
                for (int i = 0; i < messages; i++) {
                    Mqtt5Publish got = publishes.receive(10, TimeUnit.SECONDS).orElseThrow();
                    String payload = new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8);
                    assertThat(got.getTopic().toString() + "|" + i).isEqualTo(payload);
                }
            }
            sub.disconnect();
            pub.disconnect();
        }
    }
}
