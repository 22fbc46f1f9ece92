package io.volantmq.it;

import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.publish;
import static io.volantmq.it.Mqtt5Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5 chapter 4.8.2: shared subscriptions. */
class Mqtt5SharedSubscriptionIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static List<String> drain(RawClient client, boolean ack) throws Exception {
        List<String> got = new ArrayList<>();
        for (var m = client.receiveOrNull(500); m != null; m = client.receiveOrNull(500)) {
            Publish p = (Publish) m;
            got.add(new String(p.payload()));
            if (ack && p.qos() == 1) {
                client.send(PubReply.of(PacketType.PUBACK, p.packetId()));
            }
        }
        return got;
    }

    @Test
    void eachMessageGoesToOneMemberOfTheGroupBalanced() throws Exception {
        try (RawClient a = new RawClient(broker.port()); RawClient b = new RawClient(broker.port());
             RawClient plain = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            for (RawClient member : List.of(a, b)) {
                member.connect(connect(member == a ? "share-a" : "share-b"));
                member.send(subscribe(1, Subscription.of("$share/workers/jobs/#", 1), null));
                member.receive();
            }
            plain.connect(connect("share-plain"));
            plain.send(subscribe(1, Subscription.of("jobs/#", 1), null));
            plain.receive();
            pub.connect(connect("share-pub"));
            for (int i = 0; i < 20; i++) {
                pub.send(publish("jobs/x", 1, i + 1, "j" + i, Properties.EMPTY));
                pub.receive();
            }
            List<String> gotA = drain(a, true);
            List<String> gotB = drain(b, true);
            Set<String> union = new HashSet<>(gotA);
            union.addAll(gotB);
            assertThat(gotA.size() + gotB.size()).as("once per group").isEqualTo(20);
            assertThat(union).hasSize(20);
            assertThat(gotA).hasSizeBetween(5, 15); // round robin
            assertThat(drain(plain, true)).as("ordinary subscription still gets all").hasSize(20);
        }
    }

    @Test
    void unacknowledgedMessagesOfAMemberThatLeavesGoToAnother() throws Exception {
        try (RawClient stays = new RawClient(broker.port()); RawClient pub = new RawClient(broker.port())) {
            RawClient leaves = new RawClient(broker.port());
            leaves.connect(connect("share-leaves"));
            leaves.send(subscribe(1, Subscription.of("$share/g2/work", 1), null));
            leaves.receive();
            stays.connect(connect("share-stays"));
            stays.send(subscribe(1, Subscription.of("$share/g2/work", 1), null));
            stays.receive();
            pub.connect(connect("share-pub2"));
            for (int i = 0; i < 10; i++) {
                pub.send(publish("work", 1, i + 1, "w" + i, Properties.EMPTY));
                pub.receive();
            }
            List<String> taken = drain(leaves, false); // received, never acknowledged
            assertThat(taken).isNotEmpty();
            leaves.abort();
            List<String> got = drain(stays, true);
            Set<String> all = new HashSet<>(got);
            for (int i = 0; i < 10; i++) {
                assertThat(all).as("w%d reached the remaining member", i).contains("w" + i);
            }
        }
    }

    @Test
    void retainedMessagesAreNotSentOnSharedSubscribe() throws Exception {
        try (RawClient pub = new RawClient(broker.port()); RawClient member = new RawClient(broker.port())) {
            pub.connect(connect("share-ret-pub"));
            pub.send(new Publish("sret/t", 1, true, false, 1, "r".getBytes(), null));
            pub.receive(); // PUBACK: the retained message is stored before anyone subscribes
            member.connect(connect("share-ret"));
            member.send(subscribe(1, Subscription.of("$share/g3/sret/t", 0), null));
            member.receive();
            assertThat(member.receiveOrNull(500)).isNull(); // [MQTT-4.8.2-6]
        }
    }

    @Test
    void aMemberThatStopsAcknowledgingLosesItsMessagesToAnother() throws Exception {
        try (BrokerFixture quick = BrokerFixture.start(b -> b.setting("sharedAckTimeout", "1"));
             RawClient stuck = new RawClient(quick.port()); RawClient healthy = new RawClient(quick.port());
             RawClient pub = new RawClient(quick.port())) {
            stuck.connect(connect("share-stuck"));
            stuck.send(subscribe(1, Subscription.of("$share/g4/tasks", 1), null));
            stuck.receive();
            healthy.connect(connect("share-healthy"));
            healthy.send(subscribe(1, Subscription.of("$share/g4/tasks", 1), null));
            healthy.receive();
            pub.connect(connect("share-pub4"));
            for (int i = 0; i < 6; i++) {
                pub.send(publish("tasks", 1, i + 1, "t" + i, Properties.EMPTY));
                pub.receive();
            }
            List<String> withStuck = drain(stuck, false); // received, never acknowledged, still connected
            assertThat(withStuck).isNotEmpty();
            Set<String> all = new HashSet<>(drain(healthy, true));
            long deadline = System.currentTimeMillis() + 10_000;
            while (all.size() < 6 && System.currentTimeMillis() < deadline) {
                all.addAll(drain(healthy, true));
            }
            assertThat(all).as("every task reached the member that acknowledges").hasSize(6);
        }
    }
}
