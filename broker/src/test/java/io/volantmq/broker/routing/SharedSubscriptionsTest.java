package io.volantmq.broker.routing;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.BrokerEvents;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.BrokerContext;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.memory.MemoryProvider;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared subscriptions: the parts of a {@code $share} filter, and share groups a client cycles through
 * leave nothing behind in the router (issue 18, item 10).
 */
class SharedSubscriptionsTest {

    @Test
    void tenThousandShareGroupsSubscribedRoutedAndLeftLeaveNoCursor() {
        Store store = new MemoryProvider().open(new ProviderConfig("memory", Map.of()));
        try {
            BrokerContext broker = BrokerContext.wire(BrokerConfig.builder().build(), store, AccessControl.ALLOW_ALL,
                    List.of(), BrokerMetrics.noop(), BrokerEvents.NONE);
            Publish message = new Publish("t", 0, false, false, 0, new byte[] {1}, Properties.EMPTY);
            for (int i = 0; i < 10_000; i++) {
                String filter = "$share/g" + i + "/t";
                SubscriptionOptions options = SubscriptionOptions.of(filter, true, 0, false, false, 0);
                broker.tree().subscribe("member", filter, options);
                broker.router().publish("publisher", message); // a routed message moves the group's cursor
                broker.tree().unsubscribe("member", filter, options);
            }
            assertThat(broker.router().shared().groupCount()).isZero();
        } finally {
            store.close();
        }
    }

    @Test
    void aGroupKeepsItsCursorWhileAMemberRemains() {
        Store store = new MemoryProvider().open(new ProviderConfig("memory", Map.of()));
        try {
            BrokerContext broker = BrokerContext.wire(BrokerConfig.builder().build(), store, AccessControl.ALLOW_ALL,
                    List.of(), BrokerMetrics.noop(), BrokerEvents.NONE);
            SubscriptionOptions options = SubscriptionOptions.of("$share/g/t", true, 0, false, false, 0);
            broker.tree().subscribe("one", "$share/g/t", options);
            broker.tree().subscribe("two", "$share/g/t", options);
            broker.tree().unsubscribe("one", "$share/g/t", options);
            assertThat(broker.router().shared().groupCount()).isEqualTo(1);
            broker.tree().unsubscribe("two", "$share/g/t", options);
            assertThat(broker.router().shared().groupCount()).isZero();
        } finally {
            store.close();
        }
    }

    @Test
    void aSharedFilterSplitsIntoGroupAndFilter() {
        assertThat(SharedSubscriptions.group("$share/g/a/b")).isEqualTo("g");
        assertThat(SharedSubscriptions.filter("$share/g/a/b")).isEqualTo("a/b");
        assertThat(SharedSubscriptions.filter("$share/g/#")).isEqualTo("#");
        assertThat(SharedSubscriptions.key("g", "a/b")).isEqualTo("g/a/b");
    }

    @Test
    void onlyMqtt5ReadsSharePrefixAsAGroup() {
        assertThat(SharedSubscriptions.indexedFilter("$share/g/a/+", true)).isEqualTo("a/+");
        assertThat(SharedSubscriptions.indexedFilter("$share/g/a/+", false)).isEqualTo("$share/g/a/+");
        assertThat(SharedSubscriptions.indexedFilter("a/+", true)).isEqualTo("a/+");
        assertThat(SubscriptionOptions.of("$share/g/a", true, 1, false, false, 0).shareGroup()).isEqualTo("g");
        assertThat(SubscriptionOptions.of("$share/g/a", false, 1, false, false, 0).shared()).isFalse();
    }

    @Test
    void sharedOfKeepsOnlySharedSubscriptionsInOrder() {
        Map<String, SubscriptionOptions> subscriptions = new LinkedHashMap<>();
        subscriptions.put("$share/g2/b", SubscriptionOptions.of("$share/g2/b", true, 1, false, false, 0));
        subscriptions.put("a", SubscriptionOptions.of("a", true, 1, false, false, 0));
        subscriptions.put("$share/g1/a", SubscriptionOptions.of("$share/g1/a", true, 0, false, false, 0));
        assertThat(SharedSubscriptions.sharedOf(subscriptions)).containsOnlyKeys("$share/g2/b", "$share/g1/a");
        assertThat(SharedSubscriptions.sharedOf(subscriptions).keySet()).containsExactly("$share/g2/b", "$share/g1/a");
    }
}
