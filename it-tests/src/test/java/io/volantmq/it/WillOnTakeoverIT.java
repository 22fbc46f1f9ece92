package io.volantmq.it;

import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Will;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.volantmq.it.Mqtt5Packets.props;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whether the will of a connection that another connection with the same client id takes over is
 * sent. MQTT 3.x, as Mosquitto does: not when the session continues (clean session 0 on both), so a
 * device reconnecting over a half-open TCP connection does not announce itself offline; yes when
 * either connection asked for a clean session. MQTT 5: yes unless a will delay outlasts the reconnect
 * [MQTT-3.1.3-9].
 *
 * <p>Each test publishes a marker after the takeover: the old connection's will, if sent at all, is
 * routed before the new connection gets its CONNACK, so the watcher sees it before the marker.
 */
class WillOnTakeoverIT {
    private static BrokerFixture broker;
    private static MqttClient watcher;
    private static final PahoSupport.Recorder seen = new PahoSupport.Recorder();

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start();
        watcher = PahoSupport.connect(broker.uri(), "watcher", true, seen);
        watcher.subscribe("status/#", 1);
    }

    @AfterAll
    static void stop() throws Exception {
        watcher.disconnect();
        broker.close();
    }

    private static Will will(String clientId, Properties properties) {
        return new Will("status/" + clientId, "offline".getBytes(StandardCharsets.UTF_8), 1, false, properties);
    }

    private static Connect v3(String clientId, boolean clean, boolean withWill) {
        return new Connect(ProtocolVersion.MQTT_3_1_1, clientId, clean, 60, null, null,
                withWill ? will(clientId, Properties.EMPTY) : null, null);
    }

    /** The first message the watcher sees after the takeover: the will, or the marker published after it. */
    private static String firstAfterTakeover(Connect first, Connect second) throws Exception {
        try (RawClient old = new RawClient(broker.port()); RawClient taking = new RawClient(broker.port())) {
            assertThat(old.connect(first).reasonCode()).isZero();
            assertThat(taking.connect(second).reasonCode()).isZero();
            assertThat(old.closedWithin(5000)).as("the old connection is closed").isTrue();
            MqttClient marker = PahoSupport.connect(broker.uri(), "marker", true, new PahoSupport.Recorder());
            marker.publish("status/marker", "marker".getBytes(StandardCharsets.UTF_8), 1, false);
            marker.disconnect();
            marker.close();
            String firstSeen = seen.next().topic();
            if (!firstSeen.equals("status/marker")) {
                assertThat(seen.next().topic()).isEqualTo("status/marker");
            }
            return firstSeen;
        }
    }

    @Test
    void v311SessionContinuingOnBothSidesSendsNoWill() throws Exception {
        assertThat(firstAfterTakeover(v3("dev-a", false, true), v3("dev-a", false, false)))
                .isEqualTo("status/marker");
    }

    @Test
    void v31SessionContinuingSendsNoWillEither() throws Exception {
        Connect old = new Connect(ProtocolVersion.MQTT_3_1, "dev-b", false, 60, null, null,
                will("dev-b", Properties.EMPTY), null);
        Connect again = new Connect(ProtocolVersion.MQTT_3_1, "dev-b", false, 60, null, null, null, null);
        assertThat(firstAfterTakeover(old, again)).isEqualTo("status/marker");
    }

    @Test
    void v311CleanSessionOnTheNewConnectionSendsTheWill() throws Exception {
        assertThat(firstAfterTakeover(v3("dev-c", false, true), v3("dev-c", true, false)))
                .isEqualTo("status/dev-c");
    }

    @Test
    void v311CleanSessionOnTheOldConnectionSendsTheWill() throws Exception {
        assertThat(firstAfterTakeover(v3("dev-d", true, true), v3("dev-d", false, false)))
                .isEqualTo("status/dev-d");
    }

    @Test
    void mqtt5WithoutWillDelaySendsTheWillEvenWhenTheSessionContinues() throws Exception {
        Properties session = props(PropertyId.SESSION_EXPIRY_INTERVAL, 300L);
        Connect old = new Connect(ProtocolVersion.MQTT_5, "dev-e", false, 60, null, null,
                will("dev-e", Properties.EMPTY), session);
        Connect again = new Connect(ProtocolVersion.MQTT_5, "dev-e", false, 60, null, null, null, session);
        assertThat(firstAfterTakeover(old, again)).isEqualTo("status/dev-e");
    }

    @Test
    void mqtt5WillDelayOutlastingTheReconnectSendsNoWill() throws Exception {
        Properties session = props(PropertyId.SESSION_EXPIRY_INTERVAL, 300L);
        Connect old = new Connect(ProtocolVersion.MQTT_5, "dev-f", false, 60, null, null,
                will("dev-f", props(PropertyId.WILL_DELAY_INTERVAL, 60L)), session);
        Connect again = new Connect(ProtocolVersion.MQTT_5, "dev-f", false, 60, null, null, null, session);
        assertThat(firstAfterTakeover(old, again)).isEqualTo("status/marker");
    }
}
