package io.volantmq.broker.session;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.ProtocolVersion;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Outbound QoS flows, the inflight window, resume with DUP, queue bounds: through the real handler and memory store. */
class DeliveryFlowTest {

    private static Publish publish(String topic, int qos, int packetId, String payload) {
        return new Publish(topic, qos, false, false, packetId, payload.getBytes(), null);
    }

    private static void subscribe(FlowHarness.Client client, String filter, int qos) {
        client.send(new Subscribe(1, List.of(Subscription.of(filter, qos)), null));
        assertThat(client.receive()).isInstanceOf(SubAck.class);
    }

    @Test
    void qos1IsResentWithDupAndTheSamePacketIdAfterReconnect() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client sub = h.connect("sub", false);
            subscribe(sub, "t", 1);
            FlowHarness.Client pub = h.connect("pub", true);
            pub.send(publish("t", 1, 10, "hello"));
            assertThat(pub.receive()).isEqualTo(PubReply.of(PacketType.PUBACK, 10));

            Publish first = (Publish) sub.receive();
            assertThat(first.dup()).isFalse();
            sub.drop(); // no PUBACK

            FlowHarness.Client again = h.open();
            assertThat(again.connect("sub", false).sessionPresent()).isTrue();
            Publish resent = (Publish) again.receive();
            assertThat(resent.dup()).isTrue(); // [MQTT-4.4.0-1] / [MQTT-3.3.1-1]
            assertThat(resent.packetId()).isEqualTo(first.packetId());
            assertThat(new String(resent.payload())).isEqualTo("hello");
            again.send(PubReply.of(PacketType.PUBACK, resent.packetId()));
            assertThat(h.store.messages().stats("sub").messages()).isZero();
        }
    }

    @Test
    void qos2AfterPubrecResumesWithPubrelNotPublish() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client sub = h.connect("sub2", false);
            subscribe(sub, "t2", 2);
            FlowHarness.Client pub = h.connect("pub2", true);
            pub.send(publish("t2", 2, 5, "x"));
            Publish delivered = (Publish) sub.receive();
            sub.send(PubReply.of(PacketType.PUBREC, delivered.packetId()));
            assertThat(sub.receive()).isEqualTo(PubReply.of(PacketType.PUBREL, delivered.packetId()));
            sub.drop();

            FlowHarness.Client again = h.open();
            again.connect("sub2", false);
            // [MQTT-4.4.0-1]: unacknowledged PUBREL is re-sent, the message is not published again
            assertThat(again.receive()).isEqualTo(PubReply.of(PacketType.PUBREL, delivered.packetId()));
            again.send(PubReply.of(PacketType.PUBCOMP, delivered.packetId()));
            assertThat(again.poll()).isNull();
            assertThat(h.store.messages().stats("sub2").messages()).isZero();
        }
    }

    @Test
    void inflightWindowHoldsBackUntilAcknowledged() {
        try (FlowHarness h = new FlowHarness(b -> b.maxInflight(2))) {
            FlowHarness.Client sub = h.connect("win", true);
            subscribe(sub, "w", 1);
            FlowHarness.Client pub = h.connect("win-pub", true);
            for (int i = 1; i <= 5; i++) {
                pub.send(publish("w", 1, i, "m" + i));
            }
            List<MqttMessage> firstTwo = sub.drain();
            assertThat(firstTwo).hasSize(2);
            sub.send(PubReply.of(PacketType.PUBACK, ((Publish) firstTwo.get(0)).packetId()));
            List<MqttMessage> next = sub.drain();
            assertThat(next).hasSize(1);
            assertThat(new String(((Publish) next.get(0)).payload())).isEqualTo("m3");
        }
    }

    /**
     * The subscriber's store calls do not grow with each message: a queue read serves a window of
     * them, and the PUBACKs of one socket read are removed with one call. An acknowledged entry is
     * still gone from the store before the next read, an unacknowledged one is kept and re-sent.
     */
    @Test
    void qos1DeliveriesShareTheirQueueReadsAndRemoves() {
        CountingStore[] counting = new CountingStore[1];
        try (FlowHarness h = new FlowHarness(b -> { }, memory -> {
            counting[0] = new CountingStore(memory);
            return counting[0].store;
        })) {
            CountingStore calls = counting[0];
            FlowHarness.Client sub = h.connect("batched", false);
            subscribe(sub, "b", 1);
            sub.drop();
            FlowHarness.Client pub = h.connect("batched-pub", true);
            for (int i = 1; i <= 100; i++) {
                pub.send(publish("b", 1, i, "m" + i));
            }
            calls.reset();

            FlowHarness.Client again = h.open();
            assertThat(again.connect("batched", false).sessionPresent()).isTrue();
            List<Publish> window = again.drain().stream().map(Publish.class::cast).toList();
            assertThat(window).hasSize(64); // maxInflight
            ByteBuf acks = Unpooled.buffer();
            for (Publish p : window.subList(0, 60)) {
                ByteBuf one = MqttCodec.encode(PubReply.of(PacketType.PUBACK, p.packetId()),
                        ProtocolVersion.MQTT_3_1_1, ByteBufAllocator.DEFAULT);
                acks.writeBytes(one);
                one.release();
            }
            again.channel.writeInbound(acks); // 60 PUBACKs in one read
            h.settle();
            List<Publish> rest = again.drain().stream().map(Publish.class::cast).toList();
            assertThat(rest).hasSize(36);
            assertThat(h.store.messages().stats("batched").messages()).isEqualTo(40);

            assertThat(calls.count("updateInflight")).isZero();
            assertThat(calls.count("remove")).isZero();
            assertThat(calls.count("removeAll")).isEqualTo(1);
            assertThat(calls.count("read")).isLessThanOrEqualTo(3);

            again.drop(); // 40 unacknowledged: kept, and re-sent with DUP and their packet ids
            FlowHarness.Client third = h.open();
            assertThat(third.connect("batched", false).sessionPresent()).isTrue();
            List<Publish> resent = third.drain().stream().map(Publish.class::cast).toList();
            assertThat(resent).hasSize(40).allMatch(Publish::dup);
            assertThat(resent.get(0).packetId()).isEqualTo(window.get(60).packetId());
            assertThat(new String(resent.get(0).payload())).isEqualTo("m61");
            assertThat(new String(resent.get(39).payload())).isEqualTo("m100");
        }
    }

    @Test
    void fullOfflineQueueDropsTheOldestByDefault() {
        try (FlowHarness h = new FlowHarness(b -> b.maxQueuedMessages(3))) {
            FlowHarness.Client sub = h.connect("bounded", false);
            subscribe(sub, "b", 1);
            sub.drop();
            FlowHarness.Client pub = h.connect("bounded-pub", true);
            for (int i = 1; i <= 5; i++) {
                pub.send(publish("b", 1, i, "m" + i));
            }
            assertThat(h.broker.router().limits().dropped()).isEqualTo(2);
            FlowHarness.Client again = h.open();
            again.connect("bounded", false);
            assertThat(again.drain()).extracting(m -> new String(((Publish) m).payload()))
                    .containsExactly("m3", "m4", "m5");
        }
    }

    @Test
    void fullOfflineQueueDropsTheNewestWhenConfigured() {
        try (FlowHarness h = new FlowHarness(b -> b.maxQueuedMessages(3)
                .queueDropPolicy(BrokerConfig.DropPolicy.NEWEST))) {
            FlowHarness.Client sub = h.connect("bounded-n", false);
            subscribe(sub, "bn", 1);
            sub.drop();
            FlowHarness.Client pub = h.connect("bounded-n-pub", true);
            for (int i = 1; i <= 5; i++) {
                pub.send(publish("bn", 1, i, "m" + i));
            }
            FlowHarness.Client again = h.open();
            again.connect("bounded-n", false);
            assertThat(again.drain()).extracting(m -> new String(((Publish) m).payload()))
                    .containsExactly("m1", "m2", "m3");
            assertThat(h.broker.router().limits().dropped()).isEqualTo(2);
        }
    }

    @Test
    void overlappingSubscriptionsDeliverOnceAtTheHighestQosByDefault() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client sub = h.connect("overlap", true);
            subscribe(sub, "a/+", 0);
            subscribe(sub, "a/#", 2);
            FlowHarness.Client pub = h.connect("overlap-pub", true);
            pub.send(publish("a/b", 2, 1, "x"));
            List<MqttMessage> got = sub.drain();
            assertThat(got).hasSize(1);
            assertThat(((Publish) got.get(0)).qos()).isEqualTo(2);
        }
    }

    @Test
    void overlappingSubscriptionsDeliverOncePerSubscriptionWhenAllowed() {
        try (FlowHarness h = new FlowHarness(b -> b.allowOverlappingSubscriptions(true))) {
            FlowHarness.Client sub = h.connect("overlap2", true);
            subscribe(sub, "a/+", 0);
            subscribe(sub, "a/#", 1);
            FlowHarness.Client pub = h.connect("overlap2-pub", true);
            pub.send(publish("a/b", 1, 1, "x"));
            assertThat(sub.drain()).extracting(m -> ((Publish) m).qos()).containsExactlyInAnyOrder(0, 1);
        }
    }

    @Test
    void cleanSessionQueueIsGoneAfterDisconnect() {
        try (FlowHarness h = new FlowHarness()) {
            FlowHarness.Client sub = h.connect("ephemeral", true);
            subscribe(sub, "e", 1);
            FlowHarness.Client pub = h.connect("ephemeral-pub", true);
            pub.send(publish("e", 1, 1, "x"));
            sub.drop();
            assertThat(h.broker.sessions().get("ephemeral")).isNull();
            assertThat(h.store.messages().stats("ephemeral").messages()).isZero();
            assertThat(h.broker.tree().match("e")).isEmpty();
        }
    }

    @Test
    void publisherIsSlowedWhenAConnectedSubscribersQueueFills() {
        try (FlowHarness h = new FlowHarness(b -> b.maxQueuedMessages(10).maxInflight(1))) {
            FlowHarness.Client sub = h.connect("slow-sub", true);
            subscribe(sub, "slow", 1);
            FlowHarness.Client pub = h.connect("fast-pub", true);
            // the pause lasts a few ms: a frozen clock keeps a slow machine from lifting it before the check
            pub.channel.freezeTime();
            for (int i = 1; i <= 4; i++) {
                pub.send(publish("slow", 1, i, "m" + i));
            }
            assertThat(pub.channel.config().isAutoRead()).as("below half full: no back-pressure").isTrue();
            for (int i = 5; i <= 8; i++) {
                pub.send(publish("slow", 1, i, "m" + i));
            }
            assertThat(pub.channel.config().isAutoRead()).as("more than half full: reads pause").isFalse();
            assertThat(h.broker.router().limits().dropped()).isZero();
            pub.channel.advanceTimeBy(1, java.util.concurrent.TimeUnit.SECONDS);
            pub.channel.runScheduledPendingTasks();
            assertThat(pub.channel.config().isAutoRead()).as("reads resume after the pause").isTrue();
        }
    }
}
