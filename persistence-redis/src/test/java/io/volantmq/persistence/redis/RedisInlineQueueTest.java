package io.volantmq.persistence.redis;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.RecordCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.volantmq.persistence.contract.Fixtures.message;
import static io.volantmq.persistence.contract.Fixtures.targets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The queue layout seen from Redis: a message for one queue is stored inline in the queue's entry hash (no
 * {@code msg:} key), a message for several keeps one shared, counted body, both kinds mix in one queue, and
 * queues written before inline entries existed still read, change, remove and clear.
 */
class RedisInlineQueueTest {
    @RegisterExtension
    static final RedisServer REDIS = new RedisServer("everysec");

    @Test
    void aOneTargetMessageHasNoMessageKeyAndLeavesNothingOnceRemoved() {
        try (Store store = open("one:"); Jedis admin = admin()) {
            store.messages().enqueue(message("t", "first"), targets("c"));
            store.messages().enqueueAll(List.of(new QueueAppend(message("t", "second"), targets("c"))));
            store.sync();
            assertThat(admin.keys("one:msg*")).as("no message key, no message id taken").isEmpty();
            assertThat(admin.hlen("one:qe:c")).as("two entries, two inline bodies").isEqualTo(4);

            List<QueuedMessage> queue = store.messages().read("c", 0, 10);
            assertThat(queue).extracting(QueuedMessage::message)
                    .containsExactly(message("t", "first"), message("t", "second"));
            long first = queue.get(0).seq();
            store.messages().updateInflight("c", first, 7, InflightState.SENT);
            QueuedMessage sent = store.messages().read("c", 0, 1).get(0);
            assertThat(sent.packetId()).isEqualTo(7);
            assertThat(sent.state()).isEqualTo(InflightState.SENT);
            assertThat(store.messages().stats("c")).as("the state change keeps the entry's byte count")
                    .isEqualTo(new QueueStats(2, 11));

            store.messages().remove("c", first);
            store.messages().removeAll("c", new long[] {queue.get(1).seq()}, 1);
            store.sync();
            assertThat(admin.exists("one:q:c", "one:qe:c", "one:qb:c")).isZero();
            assertThat(admin.keys("one:*")).containsExactlyInAnyOrder("one:schema", "one:seq");
            assertThat(store.messages().stats("c")).isEqualTo(QueueStats.EMPTY);
        }
    }

    @Test
    void aMixedQueueReadsInSeqOrderAndASharedMessageGoesWithItsLastReference() {
        try (Store store = open("mixed:"); Jedis admin = admin()) {
            store.messages().enqueueAll(List.of(
                    new QueueAppend(message("t", "a"), targets("c")),
                    new QueueAppend(message("t", "bb"), targets("c", "d")),
                    new QueueAppend(message("t", "ccc"), targets("c"))));
            store.messages().enqueue(message("t", "dddd"), targets("d", "c"));
            store.messages().enqueue(message("t", "eeeee"), targets("c"));

            List<QueuedMessage> queue = store.messages().read("c", 0, 10);
            assertThat(queue).extracting(QueuedMessage::message).containsExactly(message("t", "a"),
                    message("t", "bb"), message("t", "ccc"), message("t", "dddd"), message("t", "eeeee"));
            assertThat(queue).extracting(QueuedMessage::seq).isSorted().doesNotHaveDuplicates();
            assertThat(admin.keys("mixed:msg:*")).hasSize(2);
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(5, 15));

            store.messages().removeAll("c", new long[] {queue.get(0).seq(), queue.get(1).seq(), queue.get(3).seq()}, 3);
            store.sync();
            assertThat(admin.keys("mixed:msg:*")).as("d still holds both shared messages").hasSize(2);
            assertThat(store.messages().read("c", 0, 10)).extracting(QueuedMessage::message)
                    .containsExactly(message("t", "ccc"), message("t", "eeeee"));

            List<QueuedMessage> other = store.messages().read("d", 0, 10);
            assertThat(other).extracting(QueuedMessage::message).containsExactly(message("t", "bb"), message("t", "dddd"));
            store.messages().remove("d", other.get(0).seq());
            store.sync();
            assertThat(admin.keys("mixed:msg:*")).as("the last reference to bb is gone").hasSize(1);
            store.messages().remove("d", other.get(1).seq());
            store.messages().clear("c");
            assertThat(admin.keys("mixed:*")).containsExactlyInAnyOrder("mixed:schema", "mixed:seq", "mixed:msgid");
        }
    }

    @Test
    void theQueuesByteCountFollowsEnqueueRemoveAndClearOfBothKinds() {
        try (Store store = open("bytes:")) {
            store.messages().enqueueAll(List.of(
                    new QueueAppend(message("t", "12345"), targets("c")),
                    new QueueAppend(message("t", "123"), targets("c", "d")),
                    new QueueAppend(message("t", "1234567"), targets("c"))));
            store.messages().enqueue(message("t", ""), targets("c"));
            store.messages().enqueue(message("t", "12"), targets("c", "d"));
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(5, 17));
            assertThat(store.messages().stats("d")).isEqualTo(new QueueStats(2, 5));

            List<QueuedMessage> queue = store.messages().read("c", 0, 10);
            store.messages().remove("c", queue.get(0).seq());
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(4, 12));
            store.messages().removeAll("c", new long[] {queue.get(1).seq(), queue.get(1).seq(), queue.get(3).seq()}, 3);
            assertThat(store.messages().stats("c")).as("a repeated seq counts once").isEqualTo(new QueueStats(2, 9));
            store.messages().remove("c", queue.get(0).seq());
            assertThat(store.messages().stats("c")).as("removing twice changes nothing").isEqualTo(new QueueStats(2, 9));
            assertThat(store.messages().stats("d")).isEqualTo(new QueueStats(2, 5));

            store.messages().clear("c");
            assertThat(store.messages().stats("c")).isEqualTo(QueueStats.EMPTY);
            assertThat(store.messages().stats("d")).isEqualTo(new QueueStats(2, 5));
            store.messages().enqueue(message("t", "1234"), targets("c"));
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(1, 4));
        }
    }

    /** More entries per command than one Lua unpack takes: the scripts split their commands. */
    @Test
    void longQueuesAndBatchesArePassedInParts() {
        try (Store store = open("long:"); Jedis admin = admin()) {
            List<QueueAppend> appends = new ArrayList<>();
            List<StoredMessage> expected = new ArrayList<>();
            for (int i = 0; i < 1100; i++) {
                StoredMessage m = message("t", "m" + i);
                appends.add(new QueueAppend(m, i % 100 == 0 ? targets("c", "d") : targets("c")));
                expected.add(m);
            }
            store.messages().enqueueAll(appends);
            List<QueuedMessage> queue = store.messages().read("c", 0, 2000);
            assertThat(queue).extracting(QueuedMessage::message).containsExactlyElementsOf(expected);
            store.messages().clear("c");
            assertThat(admin.keys("long:msg:*")).as("d holds the shared ones").hasSize(11);

            store.messages().enqueueAll(appends);
            long[] seqs = store.messages().read("c", 0, 2000).stream().mapToLong(QueuedMessage::seq).toArray();
            store.messages().removeAll("c", seqs, seqs.length);
            store.messages().clear("d");
            assertThat(store.messages().stats("c")).isEqualTo(QueueStats.EMPTY);
            assertThat(admin.keys("long:*")).containsExactlyInAnyOrder("long:schema", "long:seq", "long:msgid");
        }
    }

    /** A key space written before inline entries: every message in a msg key, entries with six fields. */
    @Test
    void queuesWrittenBeforeInlineEntriesStillReadChangeRemoveAndClear() {
        String p = "old:";
        try (Jedis admin = admin()) {
            admin.set(p + "schema", "1");
            writeOld(admin, p, message("t", "old1"), List.of(new QueueTarget("c", 1, false, List.of())));
            writeOld(admin, p, message("t", "old2"), List.of(new QueueTarget("c", 2, true, List.of(3, 4)),
                    new QueueTarget("d", 1, false, List.of())));
            writeOld(admin, p, message("t", "old33"), List.of(new QueueTarget("c", 1, false, List.of(9))));
        }
        try (Store store = open(p); Jedis admin = admin()) {
            assertThat(admin.get(p + "schema")).as("taken over: a broker from before now refuses it").isEqualTo("2");
            store.messages().enqueue(message("t", "new1"), targets("c"));
            store.messages().enqueue(message("t", "new22"), targets("c", "d"));
            List<QueuedMessage> queue = store.messages().read("c", 0, 10);
            assertThat(queue).extracting(QueuedMessage::message).containsExactly(message("t", "old1"),
                    message("t", "old2"), message("t", "old33"), message("t", "new1"), message("t", "new22"));
            assertThat(queue).extracting(QueuedMessage::seq).isSorted();
            assertThat(queue.get(1)).extracting(QueuedMessage::qos, QueuedMessage::retain, QueuedMessage::subscriptionIds)
                    .containsExactly(2, true, List.of(3, 4));
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(5, 22));

            store.messages().updateInflight("c", queue.get(2).seq(), 12, InflightState.SENT);
            store.sync(); // a read further along sends no waiting writes first
            QueuedMessage sent = store.messages().read("c", queue.get(1).seq(), 1).get(0);
            assertThat(sent).extracting(QueuedMessage::packetId, QueuedMessage::state, QueuedMessage::subscriptionIds)
                    .containsExactly(12, InflightState.SENT, List.of(9));

            store.messages().removeAll("c", new long[] {queue.get(0).seq(), queue.get(1).seq(), queue.get(3).seq()}, 3);
            store.sync();
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(2, 10));
            assertThat(admin.keys(p + "msg:*")).as("old1 went with its only reference; old2, old33, new22 stay")
                    .hasSize(3);

            store.messages().clear("c");
            assertThat(admin.keys(p + "msg:*")).as("old33 went with the clear; d holds old2 and new22").hasSize(2);
            List<QueuedMessage> other = store.messages().read("d", 0, 10);
            assertThat(other).extracting(QueuedMessage::message).containsExactly(message("t", "old2"), message("t", "new22"));
            store.messages().remove("d", other.get(0).seq());
            assertThat(store.messages().stats("d")).isEqualTo(new QueueStats(1, 5));
            store.messages().clear("d");
            assertThat(admin.keys(p + "*")).containsExactlyInAnyOrder(p + "schema", p + "seq", p + "msgid");
        }
    }

    /** A key space of a later layout is left alone: its entries may not read as this broker expects. */
    @Test
    void aKeySpaceOfAnUnknownSchemaIsRefused() {
        try (Jedis admin = admin()) {
            admin.set("later:schema", "3");
        }
        assertThatThrownBy(() -> open("later:")).isInstanceOf(PersistenceException.class)
                .hasMessageContaining("the key space has schema '3', this broker knows '2'");
        try (Jedis admin = admin()) {
            assertThat(admin.get("later:schema")).isEqualTo("3");
        }
    }

    /** What the scripts before inline entries wrote for one message, command by command. */
    private static void writeOld(Jedis admin, String p, StoredMessage message, List<QueueTarget> targets) {
        long id = admin.incr(p + "msgid");
        int bytes = message.payload().length;
        admin.hset(utf8(p + "msg:" + id), Map.of(utf8("b"), RecordCodec.message(message),
                utf8("n"), utf8(Integer.toString(bytes)), utf8("r"), utf8(Integer.toString(targets.size()))));
        for (QueueTarget target : targets) {
            long seq = admin.incr(p + "seq");
            admin.zadd(p + "q:" + target.clientId(), seq, Long.toString(seq));
            List<String> ids = target.subscriptionIds().stream().map(String::valueOf).toList();
            admin.hset(p + "qe:" + target.clientId(), Long.toString(seq), id + "|" + target.qos() + "|"
                    + (target.retain() ? 1 : 0) + "|0|QUEUED|" + String.join(",", ids));
            admin.incrBy(p + "qb:" + target.clientId(), bytes);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Store open(String prefix) {
        return new RedisProvider().open(new ProviderConfig("redis", Map.of("uri", REDIS.uri(),
                "keyPrefix", prefix)));
    }

    private static Jedis admin() {
        return new Jedis(URI.create(REDIS.uri()));
    }
}
