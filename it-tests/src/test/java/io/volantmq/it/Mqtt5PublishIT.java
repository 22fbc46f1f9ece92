package io.volantmq.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.props;
import static io.volantmq.it.Mqtt5Packets.publish;
import static io.volantmq.it.Mqtt5Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5 chapter 3.3: PUBLISH properties, aliases, expiry, identifiers, interop with 3.1.1. */
class Mqtt5PublishIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start(b -> b.topicAliasMaximum(3).validatePayloadFormat(true));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Mqtt5BlockingClient client(String id) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        c.connect();
        return c;
    }

    @Test
    void requestResponsePropertiesPassThroughUnchangedAndInOrder() throws Exception {
        Mqtt5BlockingClient responder = client("responder");
        Mqtt5BlockingClient requester = client("requester");
        try (Mqtt5BlockingClient.Mqtt5Publishes requests = responder.publishes(MqttGlobalPublishFilter.ALL)) {
            responder.subscribeWith().topicFilter("svc/req").qos(MqttQos.AT_LEAST_ONCE).send();
            requester.publishWith().topic("svc/req").qos(MqttQos.AT_LEAST_ONCE).payload("ping".getBytes())
                    .responseTopic("svc/resp/requester").correlationData("id-42".getBytes())
                    .contentType("text/plain").payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                    .userProperties().add("a", "1").add("b", "2").add("a", "3").applyUserProperties().send();
            Mqtt5Publish got = requests.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(got.getResponseTopic()).map(Object::toString).contains("svc/resp/requester");
            assertThat(got.getCorrelationData().map(b -> StandardCharsets.UTF_8.decode(b).toString())).contains("id-42");
            assertThat(got.getContentType()).map(Object::toString).contains("text/plain");
            assertThat(got.getPayloadFormatIndicator()).contains(Mqtt5PayloadFormatIndicator.UTF_8);
            assertThat(got.getUserProperties().asList()).extracting(p -> p.getName() + "=" + p.getValue())
                    .containsExactly("a=1", "b=2", "a=3");
        }
        responder.disconnect();
        requester.disconnect();
    }

    @Test
    void noMatchingSubscribersIsReportedWith0x10() {
        Mqtt5BlockingClient publisher = client("lonely");
        Mqtt5PublishResult result = publisher.publishWith().topic("nobody/listens").qos(MqttQos.AT_LEAST_ONCE)
                .payload("x".getBytes()).send();
        assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode())
                .isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        publisher.disconnect();
    }

    @Test
    void expiredMessagesAreDroppedAndTheRemainingTimeIsForwarded() throws Exception {
        Mqtt5BlockingClient device = MqttClient.builder().useMqttVersion5().identifier("expiry-dev")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        device.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        device.subscribeWith().topicFilter("exp/#").qos(MqttQos.AT_LEAST_ONCE).send();
        device.disconnect();
        Mqtt5BlockingClient publisher = client("expiry-pub");
        publisher.publishWith().topic("exp/short").qos(MqttQos.AT_LEAST_ONCE).payload("gone".getBytes())
                .messageExpiryInterval(1).send();
        publisher.publishWith().topic("exp/long").qos(MqttQos.AT_LEAST_ONCE).payload("kept".getBytes())
                .messageExpiryInterval(100).send();
        Thread.sleep(2200);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = device.publishes(MqttGlobalPublishFilter.ALL)) {
            device.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
            Mqtt5Publish got = received.receive(10, TimeUnit.SECONDS).orElseThrow();
            assertThat(new String(got.getPayloadAsBytes())).isEqualTo("kept"); // [MQTT-3.3.2-5]
            assertThat(got.getMessageExpiryInterval().getAsLong()).isBetween(90L, 99L); // [MQTT-3.3.2-6]
            assertThat(received.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
        }
        device.disconnect();
        publisher.disconnect();
    }

    @Test
    void inboundTopicAliasesAreResolvedAndBadOnesRefused() throws Exception {
        try (RawClient sub = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            sub.connect(connect("alias-sub"));
            sub.send(subscribe(1, Subscription.of("alias/#", 1), null));
            sub.receive();
            pub.connect(connect("alias-pub"));
            pub.send(publish("alias/long/topic/name", 1, 1, "one", props(PropertyId.TOPIC_ALIAS, 2)));
            assertThat(pub.receive()).isEqualTo(PubReply.of(PacketType.PUBACK, 1));
            pub.send(publish("", 1, 2, "two", props(PropertyId.TOPIC_ALIAS, 2)));
            assertThat(pub.receive()).isEqualTo(PubReply.of(PacketType.PUBACK, 2));
            assertThat(((Publish) sub.receive()).topic()).isEqualTo("alias/long/topic/name");
            Publish second = (Publish) sub.receive();
            assertThat(second.topic()).isEqualTo("alias/long/topic/name");
            assertThat(new String(second.payload())).isEqualTo("two");
            assertThat(second.properties().contains(PropertyId.TOPIC_ALIAS)).isFalse();
            // alias above Topic Alias Maximum [MQTT-3.3.2-9]
            pub.send(publish("alias/x", 0, 0, "bad", props(PropertyId.TOPIC_ALIAS, 4)));
            Disconnect disconnect = (Disconnect) pub.receive();
            assertThat(disconnect.reasonCode()).isEqualTo(ReasonCode.TOPIC_ALIAS_INVALID);
        }
    }

    @Test
    void subscriptionIdentifiersAreDelivered() throws Exception {
        try (RawClient sub = new RawClient(broker.port())) {
            sub.connect(connect("subid"));
            sub.send(subscribe(1, Subscription.of("ids/+", 1), props(PropertyId.SUBSCRIPTION_IDENTIFIER, 7)));
            sub.receive();
            sub.send(subscribe(2, Subscription.of("ids/#", 0), props(PropertyId.SUBSCRIPTION_IDENTIFIER, 9)));
            sub.receive();
            Mqtt5BlockingClient publisher = client("subid-pub");
            publisher.publishWith().topic("ids/a").qos(MqttQos.AT_LEAST_ONCE).payload("x".getBytes()).send();
            Publish got = (Publish) sub.receive();
            assertThat(got.properties().getAll(PropertyId.SUBSCRIPTION_IDENTIFIER)).containsExactlyInAnyOrder(7, 9);
            publisher.disconnect();
        }
    }

    @Test
    void invalidUtf8WithUtf8FormatIndicatorIsRefusedWith0x99() throws Exception {
        try (RawClient pub = new RawClient(broker.port())) {
            pub.connect(connect("pfi"));
            pub.send(new Publish("pfi/t", 1, false, false, 3, new byte[] {(byte) 0xC3, 0x28}, // not UTF-8
                    props(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1)));
            PubReply ack = (PubReply) pub.receive();
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.PAYLOAD_FORMAT_INVALID);
        }
    }

    @Test
    void v3AndV5ClientsInteroperate() throws Exception {
        PahoSupport.Recorder v3received = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient v3 = PahoSupport.connect(broker.uri(), "interop-v3", true, v3received);
        v3.subscribe("interop/#", 1);
        Mqtt5BlockingClient v5 = client("interop-v5");
        try (Mqtt5BlockingClient.Mqtt5Publishes v5received = v5.publishes(MqttGlobalPublishFilter.ALL)) {
            v5.subscribeWith().topicFilter("interop/#").qos(MqttQos.AT_LEAST_ONCE).send();
            v5.publishWith().topic("interop/from5").qos(MqttQos.AT_LEAST_ONCE).payload("five".getBytes())
                    .userProperties().add("k", "v").applyUserProperties().send();
            v3.publish("interop/from3", "three".getBytes(), 1, false);
            assertThat(v3received.next().payload()).isEqualTo("five"); // properties dropped for 3.1.1
            assertThat(v3received.next().payload()).isEqualTo("three");
            assertThat(v5received.receive(10, TimeUnit.SECONDS).map(p -> new String(p.getPayloadAsBytes())))
                    .contains("five");
            assertThat(v5received.receive(10, TimeUnit.SECONDS).map(p -> new String(p.getPayloadAsBytes())))
                    .contains("three");
        }
        v3.disconnect();
        v5.disconnect();
    }

    @Test
    void messagesLargerThanTheClientsMaximumPacketSizeAreNotSentToIt() throws Exception {
        try (RawClient small = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            small.connect(connect("small-client", true, 60, props(PropertyId.MAXIMUM_PACKET_SIZE, 100L)));
            small.send(subscribe(1, Subscription.of("size/#", 1), null));
            small.receive();
            pub.connect(connect("size-pub"));
            pub.send(publish("size/big", 1, 1, "x".repeat(200), io.volantmq.broker.protocol.Properties.EMPTY));
            pub.receive();
            pub.send(publish("size/small", 1, 2, "ok", io.volantmq.broker.protocol.Properties.EMPTY));
            pub.receive();
            Publish got = (Publish) small.receive(); // [MQTT-3.1.2-25] the big one is skipped, not sent
            assertThat(got.topic()).isEqualTo("size/small");
            assertThat(small.receiveOrNull(300)).isNull();
        }
    }
}
