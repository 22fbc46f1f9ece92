package io.volantmq.broker.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionTreeTest {
    private static final SubscriptionOptions Q1 = new SubscriptionOptions(1, false, false, 0, null);

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "sport/tennis/player1/#, sport/tennis/player1, true",          // [MQTT-4.7.1-2] parent level
            "sport/tennis/player1/#, sport/tennis/player1/ranking, true",
            "sport/#, sport, true",
            "#, any/thing, true",
            "sport/+, sport/, true",                                       // empty level matches +
            "sport/+, sport, false",
            "+/+, /finance, true",
            "/+, /finance, true",
            "+, /finance, false",
            "sport/+/player1, sport/tennis/player1, true",
            "sport/+/player1, sport/tennis/player2, false",
            "#, $SYS/broker, false",                                       // [MQTT-4.7.2-1]
            "+/monitor/Clients, $SYS/monitor/Clients, false",
            "$SYS/#, $SYS/broker, true",
            "$SYS/monitor/+, $SYS/monitor/Clients, true",
            "a//b, a//b, true",
            "a/+/b, a//b, true",
            "a/+, a, false",
            "a/+, a/, true",
            "a/b, a/b/c, false",
            "a/b/c, a/b, false",
            "a/b/#, a/b, true",
            "a/b/#, a, false",
            "a/b/#, a/bc, false",
            "+/+, a, false",
            "ab, a, false",
    })
    void matchesLikeTheSpecExamples(String filter, String topic, boolean expected) {
        SubscriptionTree tree = new SubscriptionTree();
        tree.subscribe("c", filter, Q1);
        assertThat(!tree.match(topic).isEmpty()).isEqualTo(expected);
        assertThat(TopicMatcher.matches(filter, topic)).isEqualTo(expected);
    }

    @Test
    void deepTopicMatchesWithoutOverflowingTheStack() {
        // far deeper than any cap allows: the walk must not take a stack frame per level
        String deep = String.join("/", java.util.Collections.nCopies(100_000, "a"));
        SubscriptionTree tree = new SubscriptionTree();
        tree.subscribe("exact", deep, Q1);
        tree.subscribe("plus", deep.substring(0, deep.length() - 1) + "+", Q1);
        tree.subscribe("hash", deep.substring(0, deep.length() - 2) + "/#", Q1);
        assertThat(tree.match(deep)).extracting(Subscriber::clientId)
                .containsExactlyInAnyOrder("exact", "plus", "hash");
        assertThat(tree.match(deep + "/a")).extracting(Subscriber::clientId).containsExactly("hash");
        tree.unsubscribe("exact", deep, Q1);
        assertThat(tree.match(deep)).hasSize(2);
    }

    @Test
    void resubscribeReplacesAndUnsubscribePrunes() {
        SubscriptionTree tree = new SubscriptionTree();
        assertThat(tree.subscribe("c", "a/b", Q1)).isFalse();
        assertThat(tree.subscribe("c", "a/b", new SubscriptionOptions(2, false, false, 0, null))).isTrue();
        assertThat(tree.match("a/b")).singleElement().satisfies(s -> assertThat(s.options().qos()).isEqualTo(2));
        assertThat(tree.unsubscribe("c", "a/b", Q1)).isTrue();
        assertThat(tree.unsubscribe("c", "a/b", Q1)).isFalse();
        assertThat(tree.match("a/b")).isEmpty();
    }

    @Test
    void sharedSubscriptionsAreIndexedUnderTheirFilterNextToOrdinaryOnes() {
        SubscriptionTree tree = new SubscriptionTree();
        SubscriptionOptions shared = SubscriptionOptions.of("$share/g/a/+", true, 1, false, false, 0);
        tree.subscribe("c", "a/+", Q1);
        tree.subscribe("c", "$share/g/a/+", shared);
        assertThat(tree.match("a/b")).hasSize(2);
        assertThat(tree.sharedMembers("g", "a/+")).singleElement()
                .satisfies(s -> assertThat(s.filter()).isEqualTo("$share/g/a/+"));
        assertThat(tree.unsubscribe("c", "$share/g/a/+", shared)).isTrue();
        assertThat(tree.match("a/b")).singleElement().satisfies(s -> assertThat(s.filter()).isEqualTo("a/+"));
    }

    @Test
    void aFilterGoesFromOneSubscriberToManyAndBack() {
        // one subscriber is held as itself, more in a map: every step must keep exactly who subscribed
        SubscriptionTree tree = new SubscriptionTree();
        tree.subscribe("c1", "x/y", Q1);
        assertThat(tree.subscribe("c2", "x/y", Q1)).isFalse();
        assertThat(tree.subscribe("c1", "x/y", SubscriptionOptions.of("x/y", true, 2, false, false, 0))).isTrue();
        assertThat(tree.match("x/y")).extracting(Subscriber::clientId, s -> s.options().qos())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("c1", 2),
                        org.assertj.core.groups.Tuple.tuple("c2", 1));
        assertThat(tree.unsubscribe("c1", "x/y", Q1)).isTrue();
        assertThat(tree.unsubscribe("c3", "x/y", Q1)).isFalse();
        assertThat(tree.match("x/y")).extracting(Subscriber::clientId).containsExactly("c2");
        assertThat(tree.unsubscribe("c2", "x/y", Q1)).isTrue();
        assertThat(tree.match("x/y")).isEmpty();
        java.util.List<Subscriber> all = new java.util.ArrayList<>();
        tree.forEach(all::add);
        assertThat(all).isEmpty();

        tree.subscribe("c4", "x/y", Q1); // a pruned filter starts again with one
        assertThat(tree.unsubscribe("c5", "x/y", Q1)).isFalse();
        assertThat(tree.match("x/y")).extracting(Subscriber::clientId).containsExactly("c4");
    }

    @Test
    void oneEntryPerClientAndFilter() {
        SubscriptionTree tree = new SubscriptionTree();
        tree.subscribe("c1", "a/+", Q1);
        tree.subscribe("c1", "a/#", Q1);
        tree.subscribe("c2", "a/b", Q1);
        assertThat(tree.match("a/b")).extracting(Subscriber::clientId, Subscriber::filter)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("c1", "a/+"),
                        org.assertj.core.groups.Tuple.tuple("c1", "a/#"),
                        org.assertj.core.groups.Tuple.tuple("c2", "a/b"));
    }

    @Test
    void matchingWhileOthersSubscribeAndUnsubscribeNeverLosesAStableSubscription() throws Exception {
        SubscriptionTree tree = new SubscriptionTree();
        tree.subscribe("stable", "x/y/z", Q1);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<?> churn = pool.submit(() -> {
            for (int i = 0; !stop.get(); i++) {
                tree.subscribe("churn" + (i % 50), "x/y/" + (i % 7), Q1);
                tree.unsubscribe("churn" + ((i + 25) % 50), "x/y/" + ((i + 3) % 7), Q1);
            }
        });
        try {
            for (int i = 0; i < 200_000; i++) {
                assertThat(tree.match("x/y/z")).anyMatch(s -> s.clientId().equals("stable"));
            }
        } finally {
            stop.set(true);
            churn.get(10, TimeUnit.SECONDS);
            pool.shutdownNow();
        }
    }

    /** What the tree tells the cluster: plain routes and share groups apart. */
    private static final class RecordingLink implements io.volantmq.broker.cluster.ClusterLink {
        final java.util.List<String> events = new java.util.ArrayList<>();

        @Override
        public void routeAdded(String filter) {
            events.add("+" + filter);
        }

        @Override
        public void routeRemoved(String filter) {
            events.add("-" + filter);
        }

        @Override
        public void shareAdded(String groupKey) {
            events.add("s+" + groupKey);
        }

        @Override
        public void shareRemoved(String groupKey) {
            events.add("s-" + groupKey);
        }
    }

    @Test
    void theClusterHearsOfPlainRoutesAndShareGroupsApart() {
        SubscriptionTree tree = new SubscriptionTree();
        RecordingLink link = new RecordingLink();
        tree.cluster(link);
        SubscriptionOptions shared = SubscriptionOptions.of("$share/g/a/+", true, 1, false, false, 0);
        tree.subscribe("m1", "$share/g/a/+", shared);
        tree.subscribe("m2", "$share/g/a/+", shared);
        // a node whose only subscribers on a/+ are group members must not get every a/+ message
        assertThat(link.events).containsExactly("s+g/a/+");
        tree.subscribe("c1", "a/+", Q1);
        tree.subscribe("c2", "a/+", Q1);
        assertThat(link.events).containsExactly("s+g/a/+", "+a/+");
        tree.unsubscribe("c1", "a/+", Q1);
        tree.unsubscribe("c2", "a/+", Q1);
        assertThat(link.events).containsExactly("s+g/a/+", "+a/+", "-a/+");
        tree.unsubscribe("m1", "$share/g/a/+", shared);
        tree.unsubscribe("m2", "$share/g/a/+", shared);
        assertThat(link.events).containsExactly("s+g/a/+", "+a/+", "-a/+", "s-g/a/+");
    }
}
