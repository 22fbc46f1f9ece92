package io.volantmq.it;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueuedMessage;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Over a durable store (RocksDB, real files) the queue of a session that ends with its connection (3.1.1 clean
 * session, MQTT 5 expiry 0) is kept on the heap: the store's own API finds none of it, while a persistent session's
 * queue is in the store and survives a restart. Subscribers are raw clients that do not acknowledge, so what was
 * delivered stays in their queues (inflight) where it can be looked at.
 */
class CleanSessionQueuesIT {
    @TempDir
    Path dir;

    private BrokerFixture start(Consumer<BrokerConfig.Builder> more) {
        Properties store = new Properties();
        store.setProperty("volantmq.persistence.rocksdb.path", dir.resolve("rocksdb").toString());
        return BrokerFixture.start(b -> {
            b.persistence("rocksdb").persistenceProperties(store);
            more.accept(b);
        });
    }

    /** The broker's durable store, as the broker uses it. */
    private static MessageStore durable(BrokerFixture broker) {
        return broker.broker().context().store().messages();
    }

    private static RawClient subscriber(BrokerFixture broker, Connect connect, String filter) throws Exception {
        RawClient client = new RawClient(broker.port());
        ConnAck ack = client.connect(connect);
        assertThat(ack.reasonCode()).isZero();
        client.send(new Subscribe(1, List.of(new Subscription(filter, 1, false, false, 0)),
                io.volantmq.broker.protocol.Properties.EMPTY));
        assertThat(client.receive()).isInstanceOf(SubAck.class);
        return client;
    }

    private static Connect v311(String clientId, boolean cleanSession) {
        return new Connect(ProtocolVersion.MQTT_3_1_1, clientId, cleanSession, 60, null, null, null, null);
    }

    private static Connect v5(String clientId, boolean cleanStart, long expiry, int receiveMaximum) {
        return Mqtt5Packets.connect(clientId, cleanStart, 60, Mqtt5Packets.props(
                PropertyId.SESSION_EXPIRY_INTERVAL, expiry, PropertyId.RECEIVE_MAXIMUM, receiveMaximum));
    }

    private static void publish(BrokerFixture broker, String topic, int count, String prefix) throws Exception {
        MqttClient publisher = PahoSupport.connect(broker.uri(), "pub-" + prefix, true, new PahoSupport.Recorder());
        for (int i = 0; i < count; i++) {
            publisher.publish(topic, (prefix + i).getBytes(StandardCharsets.UTF_8), 1, false); // waits for PUBACK
        }
        publisher.disconnect();
        publisher.close();
    }

    private static List<String> received(RawClient client, int count) throws Exception {
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MqttMessage m = client.receive();
            assertThat(m).isInstanceOf(Publish.class);
            payloads.add(new String(((Publish) m).payload(), StandardCharsets.UTF_8));
        }
        return payloads;
    }

    private static List<String> payloads(List<QueuedMessage> entries) {
        return entries.stream().map(e -> new String(e.message().payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void aCleanSessionsQueueIsNotInTheDurableStoreAPersistentOnesIsAndSurvivesARestart() throws Exception {
        try (BrokerFixture broker = start(b -> { })) {
            RawClient clean = subscriber(broker, v311("clean-sub", true), "cq/#");
            RawClient v5clean = subscriber(broker, v5("clean-sub5", true, 0, 100), "cq/#");
            RawClient kept = subscriber(broker, v311("kept-sub", false), "cq/#");

            publish(broker, "cq/a", 5, "m");

            assertThat(received(clean, 5)).containsExactly("m0", "m1", "m2", "m3", "m4");
            assertThat(received(v5clean, 5)).containsExactly("m0", "m1", "m2", "m3", "m4");
            assertThat(received(kept, 5)).containsExactly("m0", "m1", "m2", "m3", "m4");
            // unacknowledged: all five are still queued (inflight) for each of them, but only the persistent
            // session's are in the store
            assertThat(durable(broker).stats("clean-sub").messages()).as("3.1.1 clean session in the store").isZero();
            assertThat(durable(broker).read("clean-sub", 0, 100)).isEmpty();
            assertThat(durable(broker).stats("clean-sub5").messages()).as("MQTT 5 expiry 0 in the store").isZero();
            assertThat(durable(broker).stats("kept-sub").messages()).isEqualTo(5);
            // what $SYS and the admin API show reads each queue where it lives
            var queues = broker.broker().context().router().queues();
            assertThat(queues.stats("clean-sub").messages()).isEqualTo(5);
            assertThat(queues.stats("clean-sub5").messages()).isEqualTo(5);
            assertThat(queues.stats("kept-sub").messages()).isEqualTo(5);

            clean.close();
            v5clean.close();
            kept.close();
        }
        try (BrokerFixture broker = start(b -> { })) {
            assertThat(payloads(durable(broker).read("kept-sub", 0, 100)))
                    .containsExactly("m0", "m1", "m2", "m3", "m4");
            assertThat(durable(broker).stats("clean-sub").messages()).isZero();
            RawClient kept = new RawClient(broker.port());
            assertThat(kept.connect(v311("kept-sub", false)).sessionPresent()).isTrue();
            assertThat(received(kept, 5)).containsExactly("m0", "m1", "m2", "m3", "m4");
            kept.close();
        }
    }

    @Test
    void aCleanSubscriberThatDoesNotReadStaysWithinItsQueueBoundOldestDropped() throws Exception {
        try (BrokerFixture broker = start(b -> b.maxQueuedMessages(10)
                .queueDropPolicy(BrokerConfig.DropPolicy.OLDEST))) {
            RawClient slow = subscriber(broker, v5("slow-clean", true, 0, 2), "bound/#"); // 2 inflight at most
            long droppedBefore = broker.broker().context().router().limits().dropped();

            publish(broker, "bound/x", 50, "b");

            var queues = broker.broker().context().router().queues();
            assertThat(queues.stats("slow-clean").messages()).isEqualTo(10);
            assertThat(broker.broker().context().router().limits().dropped() - droppedBefore).isEqualTo(40);
            List<String> kept = payloads(queues.of("slow-clean").read("slow-clean", 0, 100));
            assertThat(kept).hasSize(10).contains("b49"); // the newest is kept, the oldest unsent went
            assertThat(durable(broker).stats("slow-clean").messages()).isZero();
            slow.close();
        }
    }

    @Test
    void aLiveCleanSessionTakenOverWithCleanStartFalseIsNotResumedTheNewPersistentOneIsDurable() throws Exception {
        try (BrokerFixture broker = start(b -> { })) {
            RawClient first = subscriber(broker, v5("flip", true, 0, 1), "flip/#");
            publish(broker, "flip/t", 3, "old");
            assertThat(received(first, 1)).containsExactly("old0"); // one inflight, two queued on the heap
            assertThat(broker.broker().context().router().queues().stats("flip").messages()).isEqualTo(3);

            // [MQTT-4.1.0-2]: an expiry-0 session ends when its connection closes, also when a takeover closes it
            RawClient second = new RawClient(broker.port());
            ConnAck ack = second.connect(v5("flip", false, 3600, 10));
            assertThat(ack.sessionPresent()).as("the clean session is not resumed").isFalse();
            assertThat(broker.broker().context().router().queues().stats("flip").messages())
                    .as("its heap queue ended with it").isZero();
            second.send(new Subscribe(1, List.of(new Subscription("flip/#", 1, false, false, 0)),
                    io.volantmq.broker.protocol.Properties.EMPTY));
            assertThat(second.receive()).isInstanceOf(SubAck.class);
            publish(broker, "flip/t", 2, "new");
            assertThat(received(second, 2)).containsExactly("new0", "new1");
            assertThat(payloads(durable(broker).read("flip", 0, 100))).containsExactly("new0", "new1");
            second.close();
            first.close();
        }
        try (BrokerFixture broker = start(b -> { })) {
            RawClient again = new RawClient(broker.port());
            assertThat(again.connect(v5("flip", false, 3600, 10)).sessionPresent()).isTrue();
            assertThat(received(again, 2)).containsExactly("new0", "new1");
            again.close();
        }
    }
}
