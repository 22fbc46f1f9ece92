package io.volantmq.broker.sys;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.BrokerEvents;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.BrokerGauges;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.BrokerStats;
import io.volantmq.persistence.StoreHealth;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.routing.SubscriptionOptions;
import io.volantmq.broker.BrokerContext;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.memory.MemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The $SYS tree over the real core (memory store), with a hand-driven clock and no threads. */
class SysTreePublisherTest {
    private static final long SECOND = 1_000_000_000L;
    /** Every topic the README documents, except the per-type packet counters and per-listener counts. */
    static final List<String> DOCUMENTED = List.of("version", "node", "uptime", "clients/connected",
            "clients/disconnected", "clients/total", "clients/maximum", "clients/expired", "messages/received",
            "messages/sent", "bytes/received", "bytes/sent", "publish/bytes/received", "publish/bytes/sent",
            "messages/dropped", "messages/dropped/acl", "messages/dropped/expired", "messages/dropped/oversize",
            "messages/dropped/queue_full", "messages/dropped/slow_consumer", "messages/unrouted",
            "load/messages/received/1min",
            "load/messages/received/5min", "load/messages/received/15min", "load/messages/sent/1min",
            "load/messages/sent/5min", "load/messages/sent/15min", "load/bytes/received/1min",
            "load/bytes/received/5min", "load/bytes/received/15min", "load/bytes/sent/1min", "load/bytes/sent/5min",
            "load/bytes/sent/15min", "load/connections/1min", "load/connections/5min", "load/connections/15min",
            "subscriptions/count", "subscriptions/shared/count", "retained/count", "store/messages/count",
            "store/messages/bytes", "store/healthy", "store/failedCalls", "heap/used", "heap/max");

    private final AtomicLong nanos = new AtomicLong(1000 * SECOND);
    private final AtomicReference<StoreHealth> health = new AtomicReference<>(new StoreHealth(true, null, 0, 0));
    private Store store;
    private BrokerMetrics metrics;
    private BrokerContext context;
    private BrokerStats stats;
    private SysTreePublisher sys;

    @BeforeEach
    void wire() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics = new BrokerMetrics(registry);
        store = new MemoryProvider().open(new ProviderConfig("memory", Map.of()));
        BrokerConfig config = BrokerConfig.builder().listener("tcp://127.0.0.1:0").listener("ws://127.0.0.1:0/mqtt")
                .nodeName("node-7").build();
        context = BrokerContext.wire(config, store, AccessControl.ALLOW_ALL, List.of(), metrics, BrokerEvents.NONE);
        stats = new BrokerStats(context, registry, health::get,
                List.of(new InetSocketAddress("127.0.0.1", 1883), new InetSocketAddress("127.0.0.1", 8080)),
                System.currentTimeMillis(), nanos::get);
        BrokerGauges.register(stats);
        sys = new SysTreePublisher(stats, nanos::get);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Map<String, String> snapshot() {
        nanos.addAndGet(BrokerStats.MAX_AGE_NANOS); // the cached state is taken again
        return sys.snapshot();
    }

    private static String topic(String suffix) {
        return SysTreePublisher.PREFIX + suffix;
    }

    @Test
    void theSnapshotHasEveryDocumentedTopic() {
        Map<String, String> t = snapshot();
        for (String name : DOCUMENTED) {
            assertThat(t).as(name).containsKey(topic(name));
        }
        for (PacketType type : PacketType.values()) {
            String name = type.name().toLowerCase(java.util.Locale.ROOT);
            assertThat(t).containsKeys(topic("packets/received/" + name), topic("packets/sent/" + name));
        }
        assertThat(t).containsEntry(topic("listeners/tcp/1883/connected"), "0")
                .containsEntry(topic("listeners/ws/8080/connected"), "0");
        assertThat(t).containsEntry(topic("node"), "node-7").containsEntry(topic("store/healthy"), "true");
        assertThat(t.keySet()).allMatch(k -> k.startsWith("$SYS/broker/"));
    }

    @Test
    void countersOfTheHotPathShowUp() {
        metrics.packetReceived(PacketType.PUBLISH);
        metrics.messageReceived(5);
        metrics.messageReceived(7);
        metrics.messageSent(3);
        metrics.bytesReceived(100);
        metrics.messageExpired();
        metrics.messageDenied();
        metrics.messageDenied();
        metrics.sessionExpired();
        Map<String, String> t = snapshot();
        assertThat(t).containsEntry(topic("packets/received/publish"), "1")
                .containsEntry(topic("packets/sent/publish"), "0")
                .containsEntry(topic("messages/received"), "2")
                .containsEntry(topic("publish/bytes/received"), "12")
                .containsEntry(topic("messages/sent"), "1")
                .containsEntry(topic("bytes/received"), "100")
                .containsEntry(topic("messages/dropped/expired"), "1")
                .containsEntry(topic("messages/dropped/acl"), "2")
                .containsEntry(topic("clients/expired"), "1");
        long total = Long.parseLong(t.get(topic("messages/dropped")));
        assertThat(total).isGreaterThanOrEqualTo(3); // oversize drops are counted JVM-wide
    }

    @Test
    void subscriptionsRetainedAndQueuedMessagesAreCounted() {
        context.tree().subscribe("c1", "a/#", new SubscriptionOptions(1, false, false, 0, null));
        context.tree().subscribe("c2", "$share/g/a/#", new SubscriptionOptions(1, false, false, 0, "g"));
        context.retained().update(new StoredMessage("r/1", 0, true, "x".getBytes(), null, 1, 0));
        Map<String, String> t = snapshot();
        assertThat(t).containsEntry(topic("subscriptions/count"), "2")
                .containsEntry(topic("subscriptions/shared/count"), "1")
                .containsEntry(topic("retained/count"), "1")
                .containsEntry(topic("store/messages/count"), "0")
                .containsEntry(topic("store/messages/bytes"), "0");
    }

    @Test
    void theStoreFailingShows() {
        health.set(new StoreHealth(false, "disk full", 1, 42));
        assertThat(snapshot()).containsEntry(topic("store/healthy"), "false")
                .containsEntry(topic("store/failedCalls"), "42");
    }

    @Test
    void theMaximumStaysWhenClientsLeave() {
        metrics.clientConnected();
        metrics.clientConnected();
        metrics.clientConnected();
        assertThat(snapshot()).containsEntry(topic("clients/maximum"), "3");
        metrics.clientDisconnected();
        metrics.clientDisconnected();
        assertThat(snapshot()).containsEntry(topic("clients/maximum"), "3");
    }

    @Test
    void loadAveragesFollowTheTraffic() {
        snapshot(); // baseline
        for (int i = 0; i < 600; i++) {
            metrics.messageReceived(1);
        }
        nanos.addAndGet(59 * SECOND); // plus the second snapshot() adds: one minute at 600 a minute
        Map<String, String> t = snapshot();
        double oneMinute = Double.parseDouble(t.get(topic("load/messages/received/1min")));
        assertThat(oneMinute).isCloseTo(600 * (1 - Math.exp(-1)), org.assertj.core.api.Assertions.within(0.01));
        assertThat(t.get(topic("load/messages/sent/1min"))).isEqualTo("0.00");
    }

    @Test
    void anUpdatePublishesRetainedAndLaterOnlyWhatChanged() {
        long before = context.router().noSubscriberCount();
        sys.update();
        long first = context.router().noSubscriberCount() - before; // nobody subscribed: each publish counts here
        List<StoredMessage> retained = context.retained().match("$SYS/broker/#", System.currentTimeMillis());
        assertThat(retained).hasSize((int) first);
        assertThat(first).isGreaterThanOrEqualTo(DOCUMENTED.size());
        assertThat(retained).allMatch(m -> m.retain() && m.qos() == 0);
        assertThat(payload("node")).isEqualTo("node-7");

        metrics.messageReceived(1);
        nanos.addAndGet(BrokerStats.MAX_AGE_NANOS);
        before = context.router().noSubscriberCount();
        sys.update();
        long second = context.router().noSubscriberCount() - before;
        assertThat(second).isPositive().isLessThan(first / 2);
        assertThat(payload("messages/received")).isEqualTo("1");
    }

    @Test
    void purgeRemovesWhatAnEarlierRunRetained() {
        sys.update();
        context.retained().update(new StoredMessage("$SYS/other", 0, true, "keep".getBytes(), null, 1, 0));
        assertThat(SysTreePublisher.purge(stats)).isGreaterThan(DOCUMENTED.size());
        assertThat(context.retained().match("$SYS/broker/#", System.currentTimeMillis())).isEmpty();
        assertThat(context.retained().match("$SYS/other", System.currentTimeMillis())).hasSize(1);
    }

    @Test
    void settingsAreReadAndChecked() {
        assertThat(SysTreePublisher.enabled(Map.of())).isTrue();
        assertThat(SysTreePublisher.enabled(Map.of("withSystree", "false"))).isFalse();
        assertThat(SysTreePublisher.intervalSeconds(Map.of())).isEqualTo(10);
        assertThat(SysTreePublisher.intervalSeconds(Map.of("systreeUpdateInterval", "2"))).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> SysTreePublisher.intervalSeconds(Map.of("systreeUpdateInterval", "0")))
                .hasMessageContaining("systreeUpdateInterval");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> SysTreePublisher.enabled(Map.of("withSystree", "yes")))
                .hasMessageContaining("withSystree");
    }

    private String payload(String suffix) {
        List<StoredMessage> m = context.retained().match(topic(suffix), System.currentTimeMillis());
        assertThat(m).hasSize(1);
        return new String(m.get(0).payload(), StandardCharsets.UTF_8);
    }
}
