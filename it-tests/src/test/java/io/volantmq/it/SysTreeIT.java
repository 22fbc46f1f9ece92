package io.volantmq.it;

import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Subscription;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code $SYS/broker/...} tree against a running broker (updates every second): a {@code $SYS/#}
 * subscription gets the whole snapshot as retained messages at once, and the values follow clients
 * coming and going and messages flowing. Every wait is bounded; no assertion depends on timing.
 */
class SysTreeIT {
    private static final Duration AT_MOST = Duration.ofSeconds(20);
    /** Every topic the README documents apart from per-type packet counters and per-listener counts. */
    private static final List<String> DOCUMENTED = List.of("version", "node", "uptime", "clients/connected",
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
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start(b -> b.nodeName("sys-node").setting("systreeUpdateInterval", "1"));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** The latest value of every $SYS topic, and whether its first arrival was retained. */
    static final class SysWatcher implements MqttCallback, AutoCloseable {
        final Map<String, String> latest = new ConcurrentHashMap<>();
        final Map<String, Boolean> firstRetained = new ConcurrentHashMap<>();
        final MqttClient client;

        SysWatcher(String uri, String clientId) throws Exception {
            client = PahoSupport.client(uri, clientId, new PahoSupport.Recorder());
            client.setCallback(this);
            client.connect(PahoSupport.options(true));
            client.subscribe("$SYS/#", 0);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            firstRetained.putIfAbsent(topic, message.isRetained());
            latest.put(topic, new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        long number(String suffix) {
            String v = latest.get("$SYS/broker/" + suffix);
            return v == null ? -1 : Long.parseLong(v);
        }

        @Override
        public void connectionLost(Throwable cause) {
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        @Override
        public void close() throws Exception {
            client.disconnect();
            client.close();
        }
    }

    @Test
    void aSysSubscriptionGetsTheWholeSnapshotRetainedAtOnce() throws Exception {
        try (SysWatcher sys = new SysWatcher(broker.uri(), "sys-snapshot")) {
            List<String> expected = new ArrayList<>();
            DOCUMENTED.forEach(t -> expected.add("$SYS/broker/" + t));
            for (PacketType type : PacketType.values()) {
                String name = type.name().toLowerCase(Locale.ROOT);
                expected.add("$SYS/broker/packets/received/" + name);
                expected.add("$SYS/broker/packets/sent/" + name);
            }
            expected.add("$SYS/broker/listeners/tcp/" + broker.port() + "/connected");
            await().atMost(AT_MOST).until(() -> sys.latest.keySet().containsAll(expected));
            for (String topic : expected) {
                assertThat(sys.firstRetained.get(topic)).as(topic + " arrives retained").isTrue();
            }
            assertThat(sys.latest).containsEntry("$SYS/broker/node", "sys-node")
                    .containsEntry("$SYS/broker/store/healthy", "true");
            assertThat(sys.latest.get("$SYS/broker/version")).isNotBlank().isNotEqualTo("unknown");
            assertThat(sys.number("heap/used")).isPositive();
            assertThat(sys.number("uptime")).isNotNegative();
            // the watcher itself is a connected client, seen by the next update
            await().atMost(AT_MOST).until(() -> sys.number("clients/connected") >= 1
                    && sys.number("listeners/tcp/" + broker.port() + "/connected") >= 1);
            // wildcards do not reach $SYS [MQTT-4.7.2-1]: # subscribers are not flooded
            PahoSupport.Recorder all = new PahoSupport.Recorder();
            MqttClient hash = PahoSupport.connect(broker.uri(), "sys-hash", true, all);
            hash.subscribe("#", 0);
            hash.publish("sys/probe", "p".getBytes(), 1, false);
            assertThat(all.next().topic()).isEqualTo("sys/probe");
            hash.disconnect();
        }
    }

    /** A counter's exact value now, from the broker's own meters: a baseline no stale $SYS value can blur. */
    private static long meter(String name) {
        return (long) broker.broker().metrics().registry().find(name).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    /** Every other test closes its clients: once the tree shows only the watcher, the counts are settled. */
    private static void settle(SysWatcher sys) {
        await().atMost(AT_MOST).until(() -> sys.number("clients/connected") == 1);
    }

    @Test
    void valuesFollowClientsAndTraffic() throws Exception {
        try (SysWatcher sys = new SysWatcher(broker.uri(), "sys-values")) {
            settle(sys);
            long received = meter("volantmq.messages.received");
            long sent = meter("volantmq.messages.sent");
            long payloadBytes = meter("volantmq.messages.received.payload");
            long publishPackets = (long) broker.broker().metrics().registry().get("volantmq.packets.received")
                    .tag("type", "publish").counter().count();
            long retained = broker.broker().context().retained().size();
            long[] subscriptions = {0};
            broker.broker().context().tree().forEach(x -> subscriptions[0]++);

            // clients come: connected, maximum and total follow
            List<MqttClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(PahoSupport.connect(broker.uri(), "sys-client-" + i, true, new PahoSupport.Recorder()));
            }
            await().atMost(AT_MOST).until(() -> sys.number("clients/connected") == 4);
            await().atMost(AT_MOST).until(() -> sys.number("clients/maximum") >= 4
                    && sys.number("clients/total") >= 4);

            // messages flow: 10 PUBLISHes of 5 bytes, one of them retained, to a subscriber
            PahoSupport.Recorder inbox = new PahoSupport.Recorder();
            clients.get(1).setCallback(inbox);
            clients.get(1).subscribe("sys-traffic/#", 1);
            for (int i = 0; i < 10; i++) {
                clients.get(0).publish("sys-traffic/" + i, "12345".getBytes(), 1, i == 0);
            }
            for (int i = 0; i < 10; i++) {
                inbox.next();
            }
            await().atMost(AT_MOST).until(() -> sys.number("messages/received") >= received + 10
                    && sys.number("packets/received/publish") >= publishPackets + 10
                    && sys.number("publish/bytes/received") >= payloadBytes + 50
                    && sys.number("messages/sent") >= sent + 10
                    && sys.number("subscriptions/count") >= subscriptions[0] + 1
                    && sys.number("retained/count") >= retained + 1);
            await().atMost(AT_MOST).until(() -> Double.parseDouble(
                    sys.latest.get("$SYS/broker/load/messages/received/1min")) > 0);

            // clients go: connected falls back, the maximum stays
            for (MqttClient c : clients) {
                c.disconnect();
                c.close();
            }
            settle(sys);
            assertThat(sys.number("clients/maximum")).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void persistentSessionsOfflineAndTheirQueuedMessagesAreCounted() throws Exception {
        try (SysWatcher sys = new SysWatcher(broker.uri(), "sys-offline")) {
            settle(sys);
            await().atMost(AT_MOST).until(() -> sys.number("store/messages/count") == 0); // no queue holds anything
            long offline = broker.broker().context().sessions().size()
                    - broker.broker().context().sessions().onlineCount();

            MqttClient persistent = PahoSupport.connect(broker.uri(), "sys-persistent", false,
                    new PahoSupport.Recorder());
            persistent.subscribe("sys-queue/#", 1);
            persistent.disconnect();
            persistent.close();
            MqttClient publisher = PahoSupport.connect(broker.uri(), "sys-queue-pub", true, new PahoSupport.Recorder());
            for (int i = 0; i < 4; i++) {
                publisher.publish("sys-queue/" + i, "0123456789".getBytes(), 1, false);
            }
            publisher.disconnect();
            publisher.close();
            await().atMost(AT_MOST).until(() -> sys.number("clients/disconnected") == offline + 1
                    && sys.number("store/messages/count") == 4
                    && sys.number("store/messages/bytes") == 40);

            // the session comes back and takes its messages: the queue drains
            PahoSupport.Recorder back = new PahoSupport.Recorder();
            MqttClient again = PahoSupport.connect(broker.uri(), "sys-persistent", false, back);
            for (int i = 0; i < 4; i++) {
                back.next();
            }
            // counted once acknowledged: Paho sends a PUBACK after the callback that handed us the message
            await().atMost(AT_MOST).until(() -> sys.number("store/messages/count") == 0);
            again.disconnect(); // persistent: it stays, offline, with an empty queue
            again.close();
            await().atMost(AT_MOST).until(() -> sys.number("clients/disconnected") == offline + 1
                    && sys.number("store/messages/count") == 0);
        }
    }

    @Test
    void sharedSubscriptionsAreCountedApart() throws Exception {
        try (SysWatcher sys = new SysWatcher(broker.uri(), "sys-shared");
             RawClient member = new RawClient(broker.port())) {
            settle(sys);
            long[] shared = {0};
            broker.broker().context().tree().forEach(x -> shared[0] += x.options().shared() ? 1 : 0);
            member.connect(Mqtt5Packets.connect("sys-share-member"));
            member.send(Mqtt5Packets.subscribe(1, Subscription.of("$share/g1/sys-jobs/#", 1), null));
            member.receive(); // SUBACK
            await().atMost(AT_MOST).until(() -> sys.number("subscriptions/shared/count") == shared[0] + 1);
        }
    }

    @Test
    void withTheTreeOffNothingIsPublishedUnderSys() {
        try (BrokerFixture off = BrokerFixture.start(b -> b.setting("withSystree", "false"))) {
            assertThat(off.broker().context().retained().match("$SYS/broker/#", System.currentTimeMillis()))
                    .isEmpty();
        }
    }
}
