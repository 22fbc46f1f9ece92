package io.volantmq.broker.admin;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.BrokerEvents;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.routing.Router;
import io.volantmq.broker.BrokerContext;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.memory.MemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The live trace's bounds, over the real router and memory store, with a clock the test steps. */
class TracerTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private Store store;
    private Router router;
    private Tracer tracer;

    @BeforeEach
    void wire() {
        store = new MemoryProvider().open(new ProviderConfig("memory", Map.of()));
        BrokerContext context = BrokerContext.wire(BrokerConfig.builder().listener("tcp://127.0.0.1:0").build(), store,
                AccessControl.ALLOW_ALL, List.of(), BrokerMetrics.noop(), BrokerEvents.NONE);
        router = context.router();
        tracer = new Tracer(router, now::get);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void publish(String origin, String topic) {
        router.publish(origin, new Publish(topic, 0, false, false, 0, "p".getBytes(StandardCharsets.UTF_8),
                Properties.EMPTY));
    }

    @Test
    void aTraceBuffersBoundedlyAndCountsWhatItHadToDrop() {
        Tracer.Trace trace = tracer.start("t/#", null, 60, Tracer.MAX_MESSAGES);
        for (int i = 0; i < Tracer.MAX_BUFFERED + 5; i++) {
            publish("c", "t/" + i);
        }
        Map<String, Object> polled = trace.drain(now.get());
        assertThat((List<?>) polled.get("messages")).hasSize(Tracer.MAX_BUFFERED);
        assertThat(polled).containsEntry("droppedRecords", 5L).containsEntry("seen", (long) Tracer.MAX_BUFFERED + 5);
        assertThat(((Map<?, ?>) ((List<?>) polled.get("messages")).get(0)).get("topic")).as("oldest dropped")
                .isEqualTo("t/5");
    }

    @Test
    void aTraceEndsWhenItsTimeIsUpAndIsForgottenWhenNobodyPolls() {
        Tracer.Trace byClient = tracer.start(null, "c", 10, 100);
        publish("other", "a");
        publish("c", "a");
        assertThat((List<?>) byClient.drain(now.get()).get("messages")).hasSize(1);
        now.addAndGet(10_000);
        publish("c", "a");
        Map<String, Object> after = byClient.drain(now.get());
        assertThat(after).containsEntry("ended", true);
        assertThat((List<?>) after.get("messages")).as("nothing after the end").isEmpty();

        tracer.start("#", null, Tracer.MAX_SECONDS, 100); // nobody ever polls this one
        now.addAndGet(Tracer.IDLE_MILLIS);
        assertThat(tracer.get(byClient.id)).as("both idle for a minute: forgotten").isNull();
        assertThat(tracer.running()).isZero();
        assertThat(router.tap()).isNull();
    }

    @Test
    void aWaitingPollAnswersWhenAMessageArrives() {
        Tracer.Trace trace = tracer.start("w", null, 60, 10);
        CompletableFuture<Void> ready = trace.ready(now.get(), 20_000);
        assertThat(ready).isNotDone();
        publish("c", "other");
        assertThat(ready).isNotDone();
        publish("c", "w");
        assertThat(ready).isDone();
    }

    @Test
    void aPreviewCutInsideACharacterIsStillText() {
        Tracer.Trace trace = tracer.start("u", null, 60, 10);
        String text = "a" + "é".repeat(200); // 401 bytes: the 256-byte preview ends in the middle of an é
        router.publish("c", new Publish("u", 0, false, false, 0, text.getBytes(StandardCharsets.UTF_8), Properties.EMPTY));
        Map<?, ?> record = (Map<?, ?>) ((List<?>) trace.drain(now.get()).get("messages")).get(0);
        assertThat(record.get("payload")).isEqualTo("a" + "é".repeat(127));
        assertThat(record.get("truncated")).isEqualTo(true);
        assertThat(record.get("bytes")).isEqualTo(401);
    }

    @Test
    void aBrokenTraceNeverDisturbsRouting() {
        tracer.start("#", null, 60, 10);
        // a payload-less publish with a null topic would break matching: the tap swallows it, routing goes on
        tracer.published("c", null);
        publish("c", "still/routed");
        assertThat(tracer.running()).isEqualTo(1);
    }
}
