package io.volantmq.it;

import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A QoS 0 subscriber that stops reading costs the broker bounded memory: what does not fit is dropped and counted. */
class SlowConsumerIT {

    @Test
    void qos0ToASubscriberThatStopsReadingIsDroppedNotBuffered() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start();
             RawClient stalled = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            stalled.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "stalled", true, 0, null, null, null, null));
            stalled.send(new Subscribe(1, List.of(Subscription.of("flood", 0)), null));
            stalled.receive(); // SUBACK; from here on it reads nothing
            pub.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "flooder", true, 0, null, null, null, null));
            double before = slowConsumerDrops(broker);
            byte[] payload = new byte[4096];
            for (int i = 0; i < 16_000; i++) { // 64 MB, far beyond socket buffers and the write high-water mark
                pub.send(new Publish("flood", 0, false, false, 0, payload, null));
            }
            long deadline = System.currentTimeMillis() + 10_000;
            while (slowConsumerDrops(broker) == before && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(slowConsumerDrops(broker) - before).isPositive();
        }
    }

    /** This broker's count, as its /metrics and $SYS show it. */
    private static double slowConsumerDrops(BrokerFixture broker) {
        return broker.broker().metrics().registry().get("volantmq.messages.dropped").tag("reason", "slow_consumer")
                .counter().count();
    }
}
