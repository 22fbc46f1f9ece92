package io.volantmq.broker.routing;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.codec.SharedPublish;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.store.MessagePropertiesCodec;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.memory.MemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * QoS 0 fan-out (issue 17): the router hands every online subscriber of one variant the same
 * {@link SharedPublish} (so it is encoded once per wire format), and subscribers that must see
 * different bytes (their own subscription identifier, the retain flag kept) a variant of their own.
 * The router, tree, store and codec are the broker's; the sessions are stand-ins that record what they got.
 */
class DirectVariantsTest {
    private Store store;
    private SubscriptionTree tree;
    private Router router;
    private final Map<String, Recording> recipients = new HashMap<>();

    @BeforeEach
    void wire() {
        store = new MemoryProvider().open(new ProviderConfig("memory", Map.of()));
        BrokerConfig config = BrokerConfig.builder().build();
        tree = new SubscriptionTree();
        router = new Router(tree, new RetainedIndex(store.retained()), recipients::get, store.messages(),
                new QueueLimits(store.messages(), config), new MessagePropertiesCodec(), AccessControl.ALLOW_ALL,
                config, BrokerMetrics.noop());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void subscribe(String clientId, String filter, boolean retainAsPublished, int subscriptionId) {
        recipients.put(clientId, new Recording());
        tree.subscribe(clientId, filter, new SubscriptionOptions(0, false, retainAsPublished, subscriptionId, null));
    }

    @Test
    void twentySubscribersOfOneVariantShareOnePublish() {
        for (int i = 0; i < 20; i++) {
            subscribe("s" + i, i % 2 == 0 ? "fan/out" : "fan/+", false, 0);
        }
        router.publish("publisher", new Publish("fan/out", 0, false, false, 0, new byte[] {1}, Properties.EMPTY));
        Map<SharedPublish, Boolean> distinct = new IdentityHashMap<>();
        recipients.values().forEach(r -> distinct.put(r.got, true));
        assertThat(distinct).hasSize(1);
        assertThat(distinct.keySet().iterator().next().refCnt()).isZero(); // released once routed
    }

    @Test
    void subscriptionIdentifiersAndTheKeptRetainFlagMakeVariantsOfTheirOwn() {
        subscribe("plain1", "fan/out", false, 0);
        subscribe("plain2", "fan/out", false, 0);
        subscribe("id7a", "fan/out", false, 7);
        subscribe("id7b", "fan/#", false, 7);
        subscribe("id8", "fan/out", false, 8);
        subscribe("keepsRetain", "fan/out", true, 0);
        router.publish("publisher", new Publish("fan/out", 0, true, false, 0, new byte[] {1}, Properties.EMPTY));

        assertThat(recipients.get("plain1").got).isSameAs(recipients.get("plain2").got);
        assertThat(recipients.get("id7a").got).isSameAs(recipients.get("id7b").got);
        assertThat(recipients.get("id8").got).isNotSameAs(recipients.get("id7a").got);
        assertThat(recipients.get("keepsRetain").got).isNotSameAs(recipients.get("plain1").got);

        assertThat(recipients.get("plain1").sent.retain()).isFalse(); // [MQTT-3.3.1-9]
        assertThat(recipients.get("keepsRetain").sent.retain()).isTrue();
        assertThat(recipients.get("id7a").sent.properties().getAll(PropertyId.SUBSCRIPTION_IDENTIFIER))
                .containsExactly(7);
        assertThat(recipients.get("id8").sent.properties().getAll(PropertyId.SUBSCRIPTION_IDENTIFIER))
                .containsExactly(8);
        assertThat(recipients.get("plain1").sent.properties().contains(PropertyId.SUBSCRIPTION_IDENTIFIER)).isFalse();
    }

    /** An online session that records the PUBLISH it was handed. */
    private static final class Recording implements Recipient {
        SharedPublish got;
        Publish sent;

        @Override
        public boolean online() {
            return true;
        }

        @Override
        public ClientIdentity identity() {
            return null;
        }

        @Override
        public boolean persistent() {
            return false;
        }

        @Override
        public boolean sendDirect(SharedPublish publish) {
            got = publish;
            sent = publish.publish();
            return true;
        }

        @Override
        public void notifyQueued() {
        }
    }
}
