package io.volantmq.it;

import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.UnsubAck;
import io.volantmq.broker.protocol.Unsubscribe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscription change is in force for every later publish from any connection: once the SUBACK has
 * reached the subscriber, a message published on another connection (another event loop) arrives;
 * once the UNSUBACK has, a newly published message does not (MQTT 5 3.8.4, 3.10.4 [MQTT-3.10.4-2]).
 * Several subscriber/publisher pairs run thousands of rounds at once so that subscribes, unsubscribes
 * (which prune the topic tree) and matching interleave across event loops.
 */
class SubscriptionOrderingIT {
    private static final int PAIRS = 4;
    private static final int ROUNDS = 2_500;
    private static final long TIME_BOUND_MILLIS = 120_000;

    @Test
    void subscribeAndUnsubscribeAreOrderedBeforeLaterPublishesFromOtherConnections() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("ioThreads", "4"))) {
            stress(broker, ROUNDS);
        }
    }

    /** The same with a store that makes changes durable on sync: acknowledgements wait for group commits. */
    @Test
    void theSameHoldsWithAGroupCommitStore(@TempDir Path dir) throws Exception {
        java.util.Properties store = new java.util.Properties();
        store.setProperty("volantmq.persistence.rocksdb.path", dir.resolve("rocksdb").toString());
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("ioThreads", "4").persistence("rocksdb")
                .persistenceProperties(store))) {
            stress(broker, ROUNDS / 5);
        }
    }

    private static void stress(BrokerFixture broker, int rounds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PAIRS);
        try {
            long deadline = System.currentTimeMillis() + TIME_BOUND_MILLIS;
            List<Future<Integer>> pairs = new ArrayList<>();
            for (int p = 0; p < PAIRS; p++) {
                int pair = p;
                pairs.add(pool.submit(() -> runPair(broker, pair, rounds, deadline)));
            }
            int total = 0;
            for (Future<Integer> f : pairs) {
                total += f.get(TIME_BOUND_MILLIS + 30_000, TimeUnit.MILLISECONDS);
            }
            assertThat(total).as("rounds completed").isGreaterThanOrEqualTo(PAIRS * 100);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Returns the rounds done; throws on the first ordering violation. */
    private static int runPair(BrokerFixture broker, int pair, int rounds, long deadline) throws Exception {
        try (RawClient sub = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            sub.connect(connect("ord-sub-" + pair));
            pub.connect(connect("ord-pub-" + pair));
            String topic = "ord/" + pair + "/t";
            String[] filters = {topic, "ord/" + pair + "/+", "ord/" + pair + "/#", "+/" + pair + "/t"};
            int round = 0;
            for (; round < rounds && System.currentTimeMillis() < deadline; round++) {
                String filter = filters[round % filters.length];
                int qos = round % 3;
                int pubQos = round / 3 % 3; // every pair of subscription and publish QoS
                int id = round % 60_000 + 1;
                String where = "pair " + pair + " round " + round + " (" + filter + ", QoS " + qos + "): ";

                sub.send(subscribe(id, Subscription.of(filter, qos), null));
                MqttMessage subAck = sub.receive();
                assertThat(subAck).as(where + "SUBACK first").isInstanceOf(SubAck.class);
                assertThat(((SubAck) subAck).reasonCodes()).containsExactly(qos);

                // published only after the subscriber has its SUBACK: it must be routed to it
                assertThat(publish(pub, topic, pubQos, id, "in-" + round)).as(where + "PUBACK/PUBREC after SUBACK")
                        .isIn(ReasonCode.SUCCESS, null);
                MqttMessage got = sub.receive();
                assertThat(got).as(where + "the message published after SUBACK").isInstanceOf(Publish.class);
                Publish in = (Publish) got;
                assertThat(new String(in.payload(), StandardCharsets.UTF_8)).as(where).isEqualTo("in-" + round);
                assertThat(in.qos()).as(where).isEqualTo(Math.min(qos, pubQos));
                if (in.qos() == 1) {
                    sub.send(PubReply.of(PacketType.PUBACK, in.packetId()));
                } else if (in.qos() == 2) {
                    sub.send(PubReply.of(PacketType.PUBREC, in.packetId()));
                    assertThat(sub.receive()).as(where + "PUBREL").isInstanceOf(PubReply.class);
                    sub.send(PubReply.of(PacketType.PUBCOMP, in.packetId()));
                }

                sub.send(new Unsubscribe(id, List.of(filter), null));
                MqttMessage unsubAck = sub.receive();
                assertThat(unsubAck).as(where + "UNSUBACK, and no message before it").isInstanceOf(UnsubAck.class);
                assertThat(((UnsubAck) unsubAck).reasonCodes()).containsExactly(ReasonCode.SUCCESS);

                // published only after the UNSUBACK: it must match nothing, and never arrive
                // at QoS 0 there is no answer: a stray message would be the subscriber's next packet instead of
                // the next SUBACK, or come after the last round
                assertThat(publish(pub, topic, pubQos, id, "out-" + round)).as(where + "PUBACK/PUBREC after UNSUBACK")
                        .isIn(ReasonCode.NO_MATCHING_SUBSCRIBERS, null);
            }
            assertThat(sub.receiveOrNull(500)).as("pair " + pair + ": nothing after the last UNSUBACK").isNull();
            return round;
        }
    }

    /** Publishes and completes the flow; the reason code of the PUBACK or PUBREC, null at QoS 0. */
    private static Integer publish(RawClient pub, String topic, int qos, int id, String payload) throws Exception {
        pub.send(Mqtt5Packets.publish(topic, qos, qos == 0 ? 0 : id, payload, null));
        if (qos == 0) {
            // a connection's packets are handled in order: the PINGRESP says the PUBLISH has been routed
            pub.send(PingReq.INSTANCE);
            assertThat(pub.receive()).isInstanceOf(PingResp.class);
            return null;
        }
        PubReply ack = (PubReply) pub.receive();
        if (qos == 2) {
            pub.send(PubReply.of(PacketType.PUBREL, id));
            assertThat(((PubReply) pub.receive()).type()).isEqualTo(PacketType.PUBCOMP);
        }
        return ack.reasonCode();
    }
}
