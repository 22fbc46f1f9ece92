package io.volantmq.broker.session;

import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Deep topics through the real flows: routed when the operator allows them, never a stack overflow. */
class TopicLevelsFlowTest {
    private static final String DEEP = String.join("/", Collections.nCopies(30_000, "a")); // 59,999 bytes

    @Test
    void aDeepTopicIsRoutedWhenTheCapIsRaised() {
        try (FlowHarness harness = new FlowHarness(b -> b.setting("maxTopicLevels", "65535"))) {
            FlowHarness.Client subscriber = harness.connect("sub", true);
            subscriber.send(new Subscribe(1, List.of(Subscription.of(DEEP, 0)), null));
            assertThat(((SubAck) subscriber.receive()).reasonCodes()).containsExactly(0);
            FlowHarness.Client publisher = harness.connect("pub", true);
            publisher.send(new Publish(DEEP, 0, false, false, 0, new byte[] {7}, Properties.EMPTY));
            assertThat(subscriber.receive()).isInstanceOfSatisfying(Publish.class,
                    p -> assertThat(p.topic()).isEqualTo(DEEP));
            assertThat(publisher.isOpen()).isTrue();
        }
    }

    @Test
    void aDeepTopicIsRefusedByDefault() {
        try (FlowHarness harness = new FlowHarness()) {
            FlowHarness.Client subscriber = harness.connect("sub", true);
            subscriber.send(new Subscribe(1, List.of(Subscription.of(DEEP, 0), Subscription.of("a/b", 0)), null));
            // 3.x has one failure code for every refusal [MQTT-3.9.3-2]
            assertThat(((SubAck) subscriber.receive()).reasonCodes()).containsExactly(0x80, 0);
            FlowHarness.Client publisher = harness.connect("pub", true);
            publisher.send(new Publish(DEEP, 0, false, false, 0, new byte[] {7}, Properties.EMPTY));
            assertThat(publisher.isOpen()).as("3.x: closed, it has no code to refuse a PUBLISH with").isFalse();
            assertThat(harness.broker.metrics().limitRefusals(
                    io.volantmq.broker.metrics.BrokerMetrics.Limit.TOPIC_LEVELS)).isEqualTo(2);
        }
    }
}
