package io.volantmq.broker.session;

import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The CONNECT handshake and takeover through the real connection handler. */
class ConnectFlowTest {

    @Test
    void packetsSentBeforeConnectCloseTheConnection() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client client = h.open();
            client.send(PingReq.INSTANCE); // [MQTT-3.1.0-1]
            assertThat(client.isOpen()).isFalse();
        }
    }

    @Test
    void pingIsAnswered() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client client = h.connect("pinger", true);
            client.send(PingReq.INSTANCE);
            assertThat(client.receive()).isEqualTo(PingResp.INSTANCE);
        }
    }

    @Test
    void takeoverClosesTheOldConnectionAndKeepsThePersistentSession() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client first = h.connect("dup", false);
            FlowHarness.Client second = h.open();
            ConnAck connAck = second.connect("dup", false);
            assertThat(connAck.reasonCode()).isZero();
            assertThat(connAck.sessionPresent()).isTrue();
            assertThat(first.isOpen()).isFalse(); // [MQTT-3.1.4-2]
            assertThat(second.isOpen()).isTrue();
            assertThat(h.broker.sessions().get("dup").online()).isTrue();
        }
    }

    @Test
    void willOfATakenOverConnectionIsPublished() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client watcher = h.connect("watcher", true);
            watcher.send(new io.volantmq.broker.protocol.Subscribe(1,
                    java.util.List.of(io.volantmq.broker.protocol.Subscription.of("will/#", 0)), null));
            watcher.receive();
            FlowHarness.Client first = h.open();
            first.send(new Connect(ProtocolVersion.MQTT_3_1_1, "willer", true, 0, null, null,
                    new io.volantmq.broker.protocol.Will("will/willer", "bye".getBytes(), 0, false, null), null));
            first.receive();
            h.connect("willer", true);
            Publish will = (Publish) watcher.receive();
            assertThat(new String(will.payload())).isEqualTo("bye");
        }
    }

    @Test
    void mqtt31RejectsAnEmptyClientId() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client client = h.open();
            client.send(new Connect(ProtocolVersion.MQTT_3_1, "", true, 0, null, null, null, null));
            // 3.1 needs 1..23 characters: identifier rejected
            assertThat(((ConnAck) client.receive()).reasonCode()).isEqualTo(0x02);
            assertThat(client.isOpen()).isFalse();
        }
    }
}
