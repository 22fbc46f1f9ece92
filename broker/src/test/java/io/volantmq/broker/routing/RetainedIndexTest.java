package io.volantmq.broker.routing;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.memory.MemoryProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The retained index's trie against {@link TopicMatcher} applied to every retained message (the old scan). */
class RetainedIndexTest {
    private static final String[] WORDS = {"a", "b", "", "$SYS", "$x", "c", "+x", "a#"};
    private Store store;

    @BeforeEach
    void open() {
        store = new MemoryProvider().open(new ProviderConfig("memory", Map.of()));
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private static StoredMessage retained(String topic, int payload, long expires) {
        return new StoredMessage(topic, 0, true, new byte[payload], null, 0, expires);
    }

    private static String topic(Random random) {
        int levels = 1 + random.nextInt(4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            b.append(i == 0 ? "" : "/").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    private static String filter(Random random) {
        int levels = 1 + random.nextInt(4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            int pick = random.nextInt(WORDS.length + 3);
            String level = pick < WORDS.length ? WORDS[pick] : "+";
            if (pick == WORDS.length + 2 || (i == levels - 1 && random.nextInt(4) == 0)) {
                level = "#"; // '#' only as the last level, as a valid filter has it
                levels = i + 1;
            }
            b.append(i == 0 ? "" : "/").append(level);
        }
        return b.toString();
    }

    private static List<String> topics(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::topic).sorted().toList();
    }

    @Test
    void trieAnswersWhatMatchingEveryRetainedMessageAnswers() {
        Random random = new Random(17);
        RetainedIndex index = new RetainedIndex(store.retained());
        Map<String, StoredMessage> oracle = new HashMap<>();
        List<String> fixed = List.of("#", "+", "+/+", "/", "//", "$SYS/#", "$SYS/+", "+/#", "/#", "a/#", "a/+/#",
                "+/+/+", "a//", "a/b/c/#", "$x", "$SYS", "$SYS/a");
        int compared = 0;
        for (int round = 0; round < 4000; round++) {
            String topic = topic(random);
            // mostly retain, sometimes clear: clearing prunes the trie, the next retain regrows it
            StoredMessage m = retained(topic, random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(3), 0);
            index.update(m);
            if (m.payload().length == 0) {
                oracle.remove(topic);
            } else {
                oracle.put(topic, m);
            }
            String filter = round % 3 == 0 ? fixed.get(random.nextInt(fixed.size())) : filter(random);
            List<String> expected = oracle.values().stream().filter(r -> TopicMatcher.matches(filter, r.topic()))
                    .map(StoredMessage::topic).sorted().toList();
            assertThat(topics(index.match(filter, 1))).as("filter %s", filter).isEqualTo(expected);
            compared += expected.size();
        }
        assertThat(compared).isGreaterThan(10_000); // the filters did match: not a comparison of empty lists
        assertThat(index.size()).isEqualTo(oracle.size());
        assertThat(topics(index.snapshot())).isEqualTo(oracle.keySet().stream().sorted().toList());
    }

    @Test
    void wildcardsDoNotMatchDollarTopicsAtTheFirstLevel() {
        RetainedIndex index = new RetainedIndex(store.retained());
        index.update(retained("$SYS/broker/uptime", 1, 0));
        index.update(retained("$share/x", 1, 0));
        index.update(retained("a", 1, 0));
        index.update(retained("a/$b", 1, 0));
        assertThat(topics(index.match("#", 1))).containsExactly("a", "a/$b");
        assertThat(topics(index.match("+/+", 1))).containsExactly("a/$b");
        assertThat(topics(index.match("+/+/+", 1))).isEmpty();
        assertThat(topics(index.match("$SYS/#", 1))).containsExactly("$SYS/broker/uptime");
        assertThat(topics(index.match("a/#", 1))).containsExactly("a", "a/$b"); // "a/#" matches "a"
    }

    @Test
    void clearingEveryTopicLeavesNoNodes() {
        RetainedIndex index = new RetainedIndex(store.retained());
        List<String> topics = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 500; i++) {
            topics.add(topic(random) + "/" + i);
        }
        topics.forEach(t -> index.update(retained(t, 2, 0)));
        topics.forEach(t -> index.update(retained("a/" + t, 2, 0)));
        assertThat(index.trieNodes()).isGreaterThan(1000);
        topics.forEach(t -> index.update(retained(t, 0, 0)));
        topics.forEach(t -> index.update(retained("a/" + t, 0, 0)));
        assertThat(index.trieNodes()).isZero();
        assertThat(index.size()).isZero();
        assertThat(index.counted()).isZero();
        assertThat(index.bytes()).isZero();
    }

    @Test
    void clearingALeafKeepsItsParentsMessageAndSiblings() {
        RetainedIndex index = new RetainedIndex(store.retained());
        index.update(retained("a", 1, 0));
        index.update(retained("a/b/c", 1, 0));
        index.update(retained("a/b/d", 1, 0));
        index.update(retained("a/b/c", 0, 0));
        assertThat(topics(index.match("#", 1))).containsExactly("a", "a/b/d");
        index.update(retained("a/b/d", 0, 0));
        assertThat(index.trieNodes()).isEqualTo(1); // "a" alone: "b" and below pruned
        assertThat(topics(index.match("a/+/+", 1))).isEmpty();
    }

    @Test
    void expiredMessagesAreRemovedByTheLookupThatFindsThem() {
        RetainedIndex index = new RetainedIndex(store.retained(), 10, 1000);
        index.update(retained("a/old", 5, 100));
        index.update(retained("a/new", 5, 0));
        assertThat(topics(index.match("a/+", 99))).containsExactly("a/new", "a/old");
        assertThat(topics(index.match("a/+", 100))).containsExactly("a/new");
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.counted()).isEqualTo(1);
        assertThat(index.bytes()).isEqualTo(5 + "a/new".length());
        assertThat(store.retained().get("a/old")).isEmpty();
        assertThat(index.trieNodes()).isEqualTo(2);
    }

    @Test
    void boundsCountTopicsAndBytesButNotTheBrokersSysTree() {
        RetainedIndex index = new RetainedIndex(store.retained(), 2, 0);
        assertThat(index.update(retained("x", 1, 0))).isTrue();
        assertThat(index.update(retained("y", 1, 0))).isTrue();
        assertThat(index.update(retained("z", 1, 0))).isFalse();
        assertThat(index.update(retained("x", 3, 0))).isTrue(); // a replacement is not a new message
        assertThat(index.update(retained("$SYS/load", 1, 0))).isTrue();
        assertThat(index.counted()).isEqualTo(2);
        assertThat(index.bytes()).isEqualTo(3 + 1 + 1 + 1);
        assertThat(topics(index.match("z", 1))).isEmpty();

        RetainedIndex bytes = new RetainedIndex(store.retained(), 0, 10);
        assertThat(bytes.update(retained("x", 8, 0))).isTrue();
        assertThat(bytes.update(retained("y", 2, 0))).isFalse();
        assertThat(bytes.update(retained("x", 9, 0))).isTrue();
        assertThat(bytes.update(retained("x", 10, 0))).isFalse();
    }

    @Test
    void recoverLoadsTheStoreIntoTheTrie() {
        store.retained().put(retained("a/b", 2, 0));
        store.retained().put(retained("a/gone", 2, 50));
        RetainedIndex index = new RetainedIndex(store.retained());
        assertThat(index.recover(60)).isEqualTo(1);
        assertThat(topics(index.match("a/#", 60))).containsExactly("a/b");
        assertThat(store.retained().get("a/gone")).isEmpty();
    }

    /** Replacing, clearing and matching from several threads at once leaves exact totals and a pruned trie. */
    @Test
    void concurrentUpdatesKeepTheTotalsExactAndTheTriePruned() throws Exception {
        RetainedIndex index = new RetainedIndex(store.retained(), 1_000_000, 1L << 30);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                work.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 20_000; i++) {
                        String topic = "s/" + random.nextInt(8) + "/d/" + random.nextInt(8);
                        index.update(retained(topic, random.nextInt(3), 0));
                        index.match("s/+/d/#", 1);
                    }
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<StoredMessage> held = index.snapshot();
        assertThat(index.size()).isEqualTo(held.size());
        assertThat(index.counted()).isEqualTo(held.size());
        assertThat(index.bytes()).isEqualTo(held.stream().mapToLong(RetainedIndex::weight).sum());
        held.forEach(m -> index.update(retained(m.topic(), 0, 0)));
        assertThat(index.trieNodes()).isZero();
        assertThat(index.bytes()).isZero();
    }
}
