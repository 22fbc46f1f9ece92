package io.volantmq.it;

import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.volantmq.it.Mqtt5Packets.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code volantmq.maxSessionExpiry}: a 3.x persistent session (which never expires otherwise) ends
 * after the cap offline; an MQTT 5 client asking for more is told the granted value in CONNACK.
 */
class SessionExpiryCapIT {
    private static final long CAP = 2;
    private BrokerFixture broker;

    @BeforeEach
    void start() {
        broker = BrokerFixture.start(b -> b.setting("maxSessionExpiry", String.valueOf(CAP)));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    @Test
    void anOffline311PersistentSessionEndsAfterTheCap() throws Exception {
        Connect persistent = new Connect(ProtocolVersion.MQTT_3_1_1, "cap-311", false, 60, null, null, null,
                Properties.EMPTY);
        try (RawClient client = new RawClient(broker.port())) {
            assertThat(client.connect(persistent).reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
            client.send(new Disconnect(0, Properties.EMPTY));
            assertThat(client.closedWithin(5000)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> broker.broker().context().sessions().get("cap-311") == null);
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck again = client.connect(persistent);
            assertThat(again.reasonCode()).isEqualTo(ReasonCode.V3_ACCEPTED);
            assertThat(again.sessionPresent()).as("the session expired").isFalse();
        }
    }

    @Test
    void anMqtt5ClientAskingForMoreIsToldTheCap() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck ack = client.connect(Mqtt5Packets.connect("cap-v5", true, 60,
                    props(PropertyId.SESSION_EXPIRY_INTERVAL, 3600L)));
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(ack.properties().getLong(PropertyId.SESSION_EXPIRY_INTERVAL)).isEqualTo(CAP);
        }
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck ack = client.connect(Mqtt5Packets.connect("cap-v5-never", true, 60,
                    props(PropertyId.SESSION_EXPIRY_INTERVAL, 0xFFFFFFFFL)));
            assertThat(ack.properties().getLong(PropertyId.SESSION_EXPIRY_INTERVAL)).isEqualTo(CAP);
        }
        try (RawClient client = new RawClient(broker.port())) {
            ConnAck ack = client.connect(Mqtt5Packets.connect("cap-v5-short", true, 60,
                    props(PropertyId.SESSION_EXPIRY_INTERVAL, 1L)));
            assertThat(ack.properties().getLong(PropertyId.SESSION_EXPIRY_INTERVAL))
                    .as("granted as asked: no property").isNull();
        }
    }
}
