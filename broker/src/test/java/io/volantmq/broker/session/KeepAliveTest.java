package io.volantmq.broker.session;

import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.ProtocolVersion;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keep-alive rule [MQTT-3.1.2-24] on the event loop's own clock (moved by hand here): the connection closes
 * after one and a half keep-alive periods without a packet, not before, and every packet restarts the period.
 * It is a timer task, not a handler: the pipeline a connection gets at its CONNACK has no stage added for it.
 */
class KeepAliveTest {

    @Test
    void oneAndAHalfPeriodsWithoutAPacketCloseTheConnection() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client c = h.open();
            int stagesBefore = c.channel.pipeline().names().size();
            c.send(new Connect(ProtocolVersion.MQTT_3_1_1, "k", true, 10, null, null, null, null));
            assertThat(((ConnAck) c.receive()).reasonCode()).isZero();
            assertThat(c.channel.pipeline().names()).hasSize(stagesBefore);

            advance(c, 14_000); // 14 s of the 15 allowed
            assertThat(c.channel.isActive()).isTrue();
            c.send(PingReq.INSTANCE); // a packet: the 15 s start again
            assertThat(c.receive()).isInstanceOf(PingResp.class);
            advance(c, 14_000);
            assertThat(c.channel.isActive()).as("14 s after the PINGREQ").isTrue();
            advance(c, 1_000);
            assertThat(c.channel.isActive()).as("15 s after the PINGREQ").isFalse();
        }
    }

    @Test
    void keepAliveZeroNeverExpires() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client c = h.open();
            c.send(new Connect(ProtocolVersion.MQTT_3_1_1, "k0", true, 0, null, null, null, null));
            assertThat(((ConnAck) c.receive()).reasonCode()).isZero();
            advance(c, 100_000_000);
            assertThat(c.channel.isActive()).isTrue();
        }
    }

    private static void advance(FlowHarness.Client c, long millis) {
        c.channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        c.channel.runScheduledPendingTasks();
        c.channel.runPendingTasks();
    }
}
