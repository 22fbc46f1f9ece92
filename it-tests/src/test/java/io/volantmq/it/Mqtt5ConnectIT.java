package io.volantmq.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.props;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5 chapter 3.1 / 3.2: CONNECT and CONNACK. */
class Mqtt5ConnectIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start(b -> b.maxKeepAliveSeconds(120).topicAliasMaximum(5).receiveMaximum(100)
                .responseInformation("responses/").maxPacketSize(4096));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void connackAnnouncesWhatTheBrokerGrants() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck connAck = client.connect(connect("", true, 300,
                    props(PropertyId.REQUEST_RESPONSE_INFORMATION, 1)));
            assertThat(connAck.reasonCode()).isZero();
            // [MQTT-3.2.2-16] an assigned client identifier is returned
            assertThat(connAck.properties().getString(PropertyId.ASSIGNED_CLIENT_IDENTIFIER)).startsWith("auto-");
            // keep-alive above volantmq.maxKeepAlive is answered with Server Keep Alive [MQTT-3.2.2-21]
            assertThat(connAck.properties().getInt(PropertyId.SERVER_KEEP_ALIVE)).isEqualTo(120);
            assertThat(connAck.properties().getInt(PropertyId.TOPIC_ALIAS_MAXIMUM)).isEqualTo(5);
            assertThat(connAck.properties().getInt(PropertyId.RECEIVE_MAXIMUM)).isEqualTo(100);
            assertThat(connAck.properties().getLong(PropertyId.MAXIMUM_PACKET_SIZE)).isEqualTo(4096L);
            assertThat(connAck.properties().getString(PropertyId.RESPONSE_INFORMATION)).isEqualTo("responses/");
        }
    }

    @Test
    void keepAliveZeroIsAlsoCappedByMaxKeepAlive() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck connAck = client.connect(connect("ka-zero", true, 0, null));
            assertThat(connAck.properties().getInt(PropertyId.SERVER_KEEP_ALIVE)).isEqualTo(120);
        }
    }

    @Test
    void noResponseInformationUnlessRequested() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck connAck = client.connect(connect("no-ri"));
            assertThat(connAck.properties().contains(PropertyId.RESPONSE_INFORMATION)).isFalse();
            assertThat(connAck.properties().contains(PropertyId.SERVER_KEEP_ALIVE)).isFalse();
        }
    }

    @Test
    void sessionExpiryKeepsTheSessionForItsInterval() throws Exception {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("expiring")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        client.connectWith().cleanStart(true).sessionExpiryInterval(2).send();
        client.disconnect();
        Mqtt5ConnAck resumed = client.connectWith().cleanStart(false).sessionExpiryInterval(1).send();
        assertThat(resumed.isSessionPresent()).isTrue();
        client.disconnect();
        Thread.sleep(2500); // 1 s expiry, checked every second
        Mqtt5ConnAck later = client.connectWith().cleanStart(false).send();
        assertThat(later.isSessionPresent()).as("expired after its interval").isFalse();
        client.disconnect();
    }

    @Test
    void sessionExpiryZeroEndsTheSessionWithTheConnection() throws Exception {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("zero-expiry")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        client.connectWith().cleanStart(false).send(); // default expiry 0
        client.disconnect();
        assertThat(client.connectWith().cleanStart(false).send().isSessionPresent()).isFalse();
        client.disconnect();
    }

    @Test
    void disconnectCanExtendTheSessionExpiryButNotFromZero() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("from-zero"));
            client.send(new Disconnect(0, props(PropertyId.SESSION_EXPIRY_INTERVAL, 60L)));
            MqttMessage reply = client.receive();
            // [MQTT-3.14.2-2] 0 on CONNECT, non-zero on DISCONNECT is a protocol error
            assertThat(reply).isInstanceOf(Disconnect.class);
            assertThat(((Disconnect) reply).reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
        }
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("extend", true, 60, props(PropertyId.SESSION_EXPIRY_INTERVAL, 1L)));
            client.send(new Disconnect(0, props(PropertyId.SESSION_EXPIRY_INTERVAL, 600L)));
            assertThat(client.closedWithin(2000)).isTrue();
        }
        Thread.sleep(2000);
        try (RawClient client = new RawClient(broker.port())) {
            assertThat(client.connect(connect("extend", false, 60, null)).sessionPresent()).isTrue();
        }
    }

    @Test
    void unsupportedAuthenticationMethodGets0x8C() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck connAck = client.connect(connect("auth-x", true, 60,
                    props(PropertyId.AUTHENTICATION_METHOD, "KERBEROS")));
            assertThat(connAck.reasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
            assertThat(connAck.properties().getString(PropertyId.REASON_STRING)).contains("KERBEROS");
        }
    }

    @Test
    void problemInformationZeroSuppressesReasonStrings() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck connAck = client.connect(connect("quiet", true, 60,
                    props(PropertyId.AUTHENTICATION_METHOD, "KERBEROS", PropertyId.REQUEST_PROBLEM_INFORMATION, 0)));
            assertThat(connAck.reasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
            assertThat(connAck.properties().contains(PropertyId.REASON_STRING)).isFalse();
        }
    }

    @Test
    void serverReferenceSendsClientsElsewhere() throws Exception {
        try (BrokerFixture moving = BrokerFixture.start(b -> b.setting("serverReference", "other.example:1883")
                .setting("serverMoved", "true"));
             RawClient v5 = new RawClient(moving.port()); RawClient v3 = new RawClient(moving.port())) {
            ConnAck connAck = v5.connect(connect("movable"));
            assertThat(connAck.reasonCode()).isEqualTo(ReasonCode.SERVER_MOVED);
            assertThat(connAck.properties().getString(PropertyId.SERVER_REFERENCE)).isEqualTo("other.example:1883");
            ConnAck v3Ack = v3.connect(new io.volantmq.broker.protocol.Connect(
                    io.volantmq.broker.protocol.ProtocolVersion.MQTT_3_1_1, "movable3", true, 60, null, null, null, null));
            assertThat(v3Ack.reasonCode()).isEqualTo(ReasonCode.V3_SERVER_UNAVAILABLE);
        }
    }
}
