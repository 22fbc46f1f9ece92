package io.volantmq.it;

import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.UnsubAck;
import io.volantmq.broker.protocol.Unsubscribe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.option;
import static io.volantmq.it.Mqtt5Packets.publish;
import static io.volantmq.it.Mqtt5Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5 chapter 3.8 - 3.11: subscription options, SUBACK and UNSUBACK reason codes. */
class Mqtt5SubscribeIT {
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
    void noLocalSkipsTheSubscribersOwnMessages() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("nolocal"));
            client.send(subscribe(1, option("nl/t", 0, true, false, 0), null));
            client.receive();
            client.send(publish("nl/t", 0, 0, "mine", Properties.EMPTY)); // [MQTT-3.8.3-3]
            assertThat(client.receiveOrNull(500)).isNull();
        }
    }

    @Test
    void retainAsPublishedKeepsTheFlag() throws Exception {
        try (RawClient keep = new RawClient(broker.port()); RawClient plain = new RawClient(broker.port());
             RawClient pub = new RawClient(broker.port())) {
            keep.connect(connect("rap-keep"));
            keep.send(subscribe(1, option("rap/t", 0, false, true, 0), null));
            keep.receive();
            plain.connect(connect("rap-plain"));
            plain.send(subscribe(1, option("rap/t", 0, false, false, 0), null));
            plain.receive();
            pub.connect(connect("rap-pub"));
            pub.send(new Publish("rap/t", 0, true, false, 0, "r".getBytes(), null));
            assertThat(((Publish) keep.receive()).retain()).isTrue();
            assertThat(((Publish) plain.receive()).retain()).isFalse(); // [MQTT-3.3.1-12]
        }
    }

    @Test
    void retainHandlingControlsRetainedDeliveryOnSubscribe() throws Exception {
        try (RawClient pub = new RawClient(broker.port()); RawClient sub = new RawClient(broker.port())) {
            pub.connect(connect("rh-pub"));
            pub.send(new Publish("rh/t", 1, true, false, 1, "stored".getBytes(), null));
            pub.receive(); // PUBACK: stored before the subscriptions below
            sub.connect(connect("rh-sub"));
            sub.send(subscribe(1, option("rh/t", 0, false, false, 2), null)); // 2: never
            sub.receive();
            assertThat(sub.receiveOrNull(300)).isNull();
            sub.send(subscribe(2, option("rh/+", 0, false, false, 1), null)); // 1: new subscription only
            sub.receive();
            assertThat(((Publish) sub.receive()).retain()).isTrue();
            sub.send(subscribe(3, option("rh/+", 0, false, false, 1), null)); // existing: not again
            sub.receive();
            assertThat(sub.receiveOrNull(300)).isNull();
            sub.send(subscribe(4, option("rh/+", 0, false, false, 0), null)); // 0: always
            sub.receive();
            assertThat(((Publish) sub.receive()).retain()).isTrue();
        }
    }

    @Test
    void subackAndUnsubackCarryAReasonCodePerFilter() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("codes"));
            client.send(new Subscribe(5, List.of(Subscription.of("ok/#", 2), Subscription.of("bad/#/x", 1),
                    Subscription.of("$share/g/ok", 1), Subscription.of("$share/g+/x", 1)), null));
            SubAck subAck = (SubAck) client.receive();
            assertThat(subAck.reasonCodes()).containsExactly(2, ReasonCode.TOPIC_FILTER_INVALID, 1,
                    ReasonCode.TOPIC_FILTER_INVALID);
            client.send(new Unsubscribe(6, List.of("ok/#", "never/subscribed", "$share/g/ok"), null));
            UnsubAck unsubAck = (UnsubAck) client.receive();
            assertThat(unsubAck.reasonCodes()).containsExactly(ReasonCode.SUCCESS, ReasonCode.NO_SUBSCRIPTION_EXISTED,
                    ReasonCode.SUCCESS);
        }
    }

    @Test
    void noLocalOnASharedSubscriptionIsAProtocolError() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("shared-nolocal"));
            client.send(subscribe(1, option("$share/g/t", 1, true, false, 0), null));
            io.volantmq.broker.protocol.Disconnect d = (io.volantmq.broker.protocol.Disconnect) client.receive();
            assertThat(d.reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR); // [MQTT-3.8.3-4]
        }
    }

    @Test
    void anEmptyTopicFilterIsAMalformedPacket() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("empty-sub"));
            client.sendRaw(new byte[] {
                    (byte) 0x82, 0x06,              // SUBSCRIBE, remaining length 6
                    0x00, 0x01,                     // packet identifier 1
                    0x00,                           // property length 0
                    0x00, 0x00,                     // topic filter "": zero length [MQTT-4.7.3-1]
                    0x01});                         //   options: QoS 1
            io.volantmq.broker.protocol.Disconnect d = (io.volantmq.broker.protocol.Disconnect) client.receive();
            assertThat(d.reasonCode()).isEqualTo(ReasonCode.MALFORMED_PACKET);
            assertThat(client.closedWithin(2000)).isTrue();
        }
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("empty-unsub"));
            client.sendRaw(new byte[] {
                    (byte) 0xA2, 0x05,              // UNSUBSCRIBE, reserved flags 0010, remaining length 5
                    0x00, 0x02,                     // packet identifier 2
                    0x00,                           // property length 0
                    0x00, 0x00});                   // topic filter "": zero length [MQTT-4.7.3-1]
            io.volantmq.broker.protocol.Disconnect d = (io.volantmq.broker.protocol.Disconnect) client.receive();
            assertThat(d.reasonCode()).isEqualTo(ReasonCode.MALFORMED_PACKET);
            assertThat(client.closedWithin(2000)).isTrue();
        }
    }
}
