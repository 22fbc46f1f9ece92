package io.volantmq.broker.routing;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.memory.MemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Queue bounds over the memory store, with the size estimate that spares the store a query per message. */
class QueueLimitsTest {
    private final Store store = new MemoryProvider().open(new ProviderConfig("memory", Map.of()));
    private final MessageStore messages = store.messages();
    private final QueueLimits limits = new QueueLimits(messages,
            BrokerConfig.builder().maxQueuedMessages(100).maxQueuedBytes(1_000_000).build());

    @AfterEach
    void close() {
        store.close();
    }

    private void queue(String clientId) {
        messages.enqueue(new StoredMessage("t", 1, false, new byte[10], null, 0, 0),
                List.of(new QueueTarget(clientId, 1, false, List.of())));
    }

    /** Admits and queues, as the router does. */
    private QueueLimits.Admission publish(String clientId) {
        QueueLimits.Admission admission = limits.admit(clientId, 10);
        if (admission != QueueLimits.Admission.REJECT) {
            queue(clientId);
        }
        return admission;
    }

    @Test
    void congestionAndTheBoundHoldWhileTheStoreIsAskedOnlyNowAndThen() {
        for (int i = 0; i < 50; i++) {
            assertThat(publish("c")).isEqualTo(QueueLimits.Admission.ADMIT);
        }
        // half the bound is queued: still admitted, but the publisher is to slow down
        for (int i = 0; i < 50; i++) {
            assertThat(publish("c")).isEqualTo(QueueLimits.Admission.ADMIT_CONGESTED);
        }
        assertThat(messages.stats("c").messages()).isEqualTo(100);
        // full: the default policy drops the oldest to make room; the queue stays at its bound
        assertThat(publish("c")).isEqualTo(QueueLimits.Admission.ADMIT_CONGESTED);
        assertThat(messages.stats("c").messages()).isEqualTo(100);
        assertThat(limits.dropped()).isEqualTo(1);
    }

    @Test
    void messagesQueuedAroundTheLimitsAreSeenOnceInvalidated() {
        for (int i = 0; i < 10; i++) {
            assertThat(publish("r")).isEqualTo(QueueLimits.Admission.ADMIT);
        }
        for (int i = 0; i < 60; i++) {
            queue("r"); // e.g. retained messages on SUBSCRIBE
        }
        limits.invalidate("r");
        assertThat(publish("r")).isEqualTo(QueueLimits.Admission.ADMIT_CONGESTED);
    }

    @Test
    void theStoreIsAskedAgainAfterAFewAdmissionsEvenWithoutInvalidation() {
        assertThat(publish("s")).isEqualTo(QueueLimits.Admission.ADMIT);
        for (int i = 0; i < 60; i++) {
            queue("s"); // not announced
        }
        QueueLimits.Admission last = null;
        for (int i = 0; i <= QueueLimits.REFRESH_EVERY; i++) {
            last = publish("s");
        }
        assertThat(last).isEqualTo(QueueLimits.Admission.ADMIT_CONGESTED);
    }
}
