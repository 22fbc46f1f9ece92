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

    /**
     * Far below its bound a queue's size is asked for once per quarter of the room left below half the bound, not
     * every 64 admissions: 1,000 messages into an empty queue bounded at 10,000 cost one query (room 4,999, asked
     * again after 1,249), where they cost 16.
     */
    @Test
    void aQueueFarBelowItsBoundIsAskedForItsSizeSeldom() {
        int[] asked = new int[1];
        MessageStore counting = (MessageStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MessageStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("stats")) {
                        asked[0]++;
                    }
                    return method.invoke(messages, args);
                });
        QueueLimits roomy = new QueueLimits(counting,
                BrokerConfig.builder().maxQueuedMessages(10_000).maxQueuedBytes(100_000_000).build());
        for (int i = 0; i < 1_000; i++) {
            assertThat(roomy.admit("far", 10)).isEqualTo(QueueLimits.Admission.ADMIT);
            queue("far");
        }
        assertThat(asked[0]).isEqualTo(1);
        for (int i = 0; i < 251; i++) { // the first admission asked; 1,249 more went on the estimate
            roomy.admit("far", 10);
            queue("far");
        }
        assertThat(asked[0]).as("asked again once the estimate's admissions ran out").isEqualTo(2);
    }
}
