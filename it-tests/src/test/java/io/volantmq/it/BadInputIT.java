package io.volantmq.it;

import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.PingReq;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Protocol violations and malformed input close only the offending connection, with the spec's code. */
class BadInputIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start(b -> b.maxPacketSize(1024));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static Connect connect(String clientId, boolean clean) {
        return new Connect(ProtocolVersion.MQTT_3_1_1, clientId, clean, 60, null, null, null, null);
    }

    @Test
    void garbageIsClosedAndOtherClientsCarryOn() throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        MqttClient bystander = PahoSupport.connect(broker.uri(), "bystander", true, received);
        bystander.subscribe("still/works", 1);
        try (RawClient bad = new RawClient(broker.port())) {
            bad.sendRaw(new byte[] {(byte) 0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F});
            assertThat(bad.closedWithin(2000)).as("remaining length over 4 bytes [MQTT-1.5.5]").isTrue();
        }
        try (RawClient bad = new RawClient(broker.port())) {
            bad.connect(connect("garbage-2", true));
            bad.sendRaw(new byte[] {0x00, 0x00}); // reserved packet type 0
            assertThat(bad.closedWithin(2000)).isTrue();
        }
        MqttClient publisher = PahoSupport.connect(broker.uri(), "bystander-pub", true, new PahoSupport.Recorder());
        publisher.publish("still/works", "yes".getBytes(), 1, false);
        assertThat(received.next().payload()).isEqualTo("yes");
        publisher.disconnect();
        bystander.disconnect();
    }

    @Test
    void firstPacketMustBeConnect() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.send(PingReq.INSTANCE); // [MQTT-3.1.0-1]
            assertThat(client.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void secondConnectClosesTheConnection() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("twice", true));
            client.send(connect("twice", true)); // [MQTT-3.1.0-2]
            assertThat(client.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void unsupportedProtocolLevelGetsReturnCode1() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            // CONNECT "MQTT" level 6: 10 0c 0004 'MQTT' 06 02 003c 0000 (empty client id)
            client.sendRaw(new byte[] {0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x06, 0x02, 0x00, 0x3C, 0x00, 0x00});
            MqttMessage reply = client.receive();
            assertThat(reply).isInstanceOf(ConnAck.class);
            assertThat(((ConnAck) reply).reasonCode()).isEqualTo(0x01); // [MQTT-3.1.2-2]
            assertThat(client.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void emptyClientIdWithoutCleanSessionIsRejected() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck connAck = client.connect(connect("", false));
            assertThat(connAck.reasonCode()).isEqualTo(0x02); // [MQTT-3.1.3-8]
            assertThat(client.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void emptyClientIdWithCleanSessionIsAssignedOne() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            assertThat(client.connect(connect("", true)).reasonCode()).isZero(); // [MQTT-3.1.3-6]
        }
    }

    @Test
    void invalidFilterGetsFailureCodeAndValidOnesAreGranted() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("filters", true));
            client.send(new Subscribe(7, List.of(Subscription.of("ok/+", 1), Subscription.of("bad/#/x", 1),
                    Subscription.of("bad+", 0), Subscription.of("fine/#", 2)), null));
            SubAck subAck = (SubAck) client.receive();
            assertThat(subAck.packetId()).isEqualTo(7);
            assertThat(subAck.reasonCodes()).containsExactly(1, 0x80, 0x80, 2);
        }
    }

    @Test
    void oversizePacketClosesTheConnection() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("big", true));
            client.send(new Publish("big/t", 0, false, false, 0, new byte[4096], null));
            assertThat(client.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void qos2PublishResentBeforePubrelIsDeliveredOnce() throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        MqttClient subscriber = PahoSupport.connect(broker.uri(), "eo-sub", true, received);
        subscriber.subscribe("eo/t", 2);
        try (RawClient publisher = new RawClient(broker.port())) {
            publisher.connect(connect("eo-pub", true));
            Publish publish = new Publish("eo/t", 2, false, false, 42, "once".getBytes(), null);
            publisher.send(publish);
            assertThat(publisher.receive()).isEqualTo(PubReply.of(PacketType.PUBREC, 42));
            publisher.send(new Publish("eo/t", 2, false, true, 42, "once".getBytes(), null)); // DUP re-send
            assertThat(publisher.receive()).isEqualTo(PubReply.of(PacketType.PUBREC, 42));
            publisher.send(PubReply.of(PacketType.PUBREL, 42));
            assertThat(publisher.receive()).isEqualTo(PubReply.of(PacketType.PUBCOMP, 42));
        }
        assertThat(received.next().payload()).isEqualTo("once");
        assertThat(received.poll(500)).as("exactly once [MQTT-4.3.3-10]").isNull();
        subscriber.disconnect();
    }
}
