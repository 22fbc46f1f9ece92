package io.volantmq.it;

import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.Will;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.connectWithWill;
import static io.volantmq.it.Mqtt5Packets.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Topics with tens of thousands of levels (issue 18, item 6): refused with the right code by default,
 * handled without a stack overflow when an operator allows them, and the housekeeping thread that
 * publishes delayed wills keeps running whatever one run throws.
 */
class TopicLevelsIT {
    /** 50,000 levels in 49,999 bytes: "d" and 49,999 empty levels, a valid topic name and filter. */
    private static final String DEEP = "d" + "/".repeat(49_999);

    @Test
    void fiftyThousandLevelsAreRefusedAndTheBrokerStaysUp() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            try (RawClient v5 = new RawClient(broker.port())) {
                v5.connect(connect("deep5"));
                v5.send(new Subscribe(1, List.of(Subscription.of(DEEP, 0), Subscription.of("ok/t", 0)), null));
                assertThat(((SubAck) v5.receive()).reasonCodes())
                        .containsExactly(ReasonCode.TOPIC_FILTER_INVALID, 0);
                // QoS 1: the acknowledgement carries the refusal and the connection stays
                v5.send(new Publish(DEEP, 1, false, false, 7, new byte[] {1}, Properties.EMPTY));
                MqttMessage ack = v5.receive();
                assertThat(ack).isInstanceOfSatisfying(PubReply.class, p -> {
                    assertThat(p.packetId()).isEqualTo(7);
                    assertThat(p.reasonCode()).isEqualTo(ReasonCode.TOPIC_NAME_INVALID);
                });
                v5.send(PingReq.INSTANCE);
                assertThat(v5.receive()).isInstanceOf(PingResp.class);
                // QoS 0 has no acknowledgement: DISCONNECT 0x90
                v5.send(new Publish(DEEP, 0, false, false, 0, new byte[] {1}, Properties.EMPTY));
                assertThat(v5.receive()).isInstanceOfSatisfying(Disconnect.class,
                        d -> assertThat(d.reasonCode()).isEqualTo(ReasonCode.TOPIC_NAME_INVALID));
                assertThat(v5.closedWithin(5000)).isTrue();
            }
            try (RawClient v3 = new RawClient(broker.port())) {
                v3.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "deep3", true, 60, null, null, null, null));
                v3.send(new Publish(DEEP, 1, false, false, 1, new byte[] {1}, Properties.EMPTY));
                assertThat(v3.closedWithin(5000)).as("3.x: closed, it has no code for a refused PUBLISH").isTrue();
            }
            try (RawClient willV5 = new RawClient(broker.port())) {
                ConnAck connAck = willV5.connect(connectWithWill("deepwill5", 0,
                        new Will(DEEP, new byte[] {1}, 0, false, Properties.EMPTY)));
                assertThat(connAck.reasonCode()).isEqualTo(ReasonCode.TOPIC_NAME_INVALID);
            }
            try (RawClient willV3 = new RawClient(broker.port())) {
                willV3.send(new Connect(ProtocolVersion.MQTT_3_1_1, "deepwill3", true, 60, null, null,
                        new Will(DEEP, new byte[] {1}, 0, false, Properties.EMPTY), null));
                assertThat(willV3.closedWithin(5000)).as("3.x: closed without CONNACK [MQTT-3.1.4-1]").isTrue();
            }
            // still up, and still routing
            try (RawClient sub = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
                sub.connect(connect("after-sub"));
                sub.send(new Subscribe(1, List.of(Subscription.of("ok/t", 0)), null));
                sub.receive();
                pub.connect(connect("after-pub"));
                pub.send(new Publish("ok/t", 0, false, false, 0, "fine".getBytes(), Properties.EMPTY));
                assertThat(((Publish) sub.receive()).topic()).isEqualTo("ok/t");
            }
        }
    }

    @Test
    void aDeepDelayedWillIsPublishedWhenAllowedAndLaterWillsStillFire() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("maxTopicLevels", "65535"));
             RawClient sub = new RawClient(broker.port())) {
            sub.connect(connect("will-watcher"));
            sub.send(new Subscribe(1, List.of(Subscription.of(DEEP, 0), Subscription.of("plain/will", 0)), null));
            assertThat(((SubAck) sub.receive()).reasonCodes()).containsExactly(0, 0);
            abortWithDelayedWill(broker, "deep-device", DEEP, 1);
            abortWithDelayedWill(broker, "plain-device", "plain/will", 3);
            List<String> topics = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                MqttMessage m = sub.receiveOrNull(15_000);
                assertThat(m).as("will " + (i + 1) + " of 2").isInstanceOf(Publish.class);
                topics.add(((Publish) m).topic());
            }
            assertThat(topics).containsExactly(DEEP, "plain/will");
        }
    }

    @Test
    void housekeepingKeepsRunningAfterAnErrorFromTheStore() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.persistence(FaultyStoreProvider.NAME));
             RawClient sub = new RawClient(broker.port())) {
            sub.connect(connect("watcher"));
            sub.send(new Subscribe(1, List.of(Subscription.of("status/+", 0)), null));
            sub.receive();
            // a session that expires in a second: deleting it from the store throws an Error
            try (RawClient doomed = new RawClient(broker.port())) {
                doomed.connect(Mqtt5Packets.connect(FaultyStoreProvider.DOOMED + "1", true, 60,
                        props(PropertyId.SESSION_EXPIRY_INTERVAL, 1L)));
                doomed.send(Disconnect.NORMAL);
            }
            abortWithDelayedWill(broker, "survivor", "status/survivor", 4);
            // the failing run happened: the session left the registry before its store delete threw
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    broker.broker().context().sessions().get(FaultyStoreProvider.DOOMED + "1") == null);
            MqttMessage will = sub.receiveOrNull(15_000);
            assertThat(will).as("the delayed will, published by a later housekeeping run").isNotNull();
            assertThat(((Publish) will).topic()).isEqualTo("status/survivor");
        }
    }

    private static void abortWithDelayedWill(BrokerFixture broker, String clientId, String topic, long delaySeconds)
            throws Exception {
        RawClient device = new RawClient(broker.port());
        ConnAck connAck = device.connect(connectWithWill(clientId, 60, new Will(topic, clientId.getBytes(), 0, false,
                props(PropertyId.WILL_DELAY_INTERVAL, delaySeconds))));
        assertThat(connAck.reasonCode()).isZero();
        device.abort(); // no DISCONNECT: the will stands, delayed [MQTT-3.1.3-9]
    }
}
