package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message for one queue is kept in its entry, one for several in a shared {@code messages} row: both
 * kinds read back interleaved in seq order, and removing them leaves no row behind in either table.
 */
class SqliteQueueShapesTest {
    @TempDir
    Path dir;
    private Store store;

    @BeforeEach
    void open() {
        store = new SqliteProvider().open(new ProviderConfig("sqlite",
                Map.of("path", dir.resolve("volantmq.db").toString())));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static StoredMessage message(String topic) {
        return new StoredMessage(topic, 1, false, topic.getBytes(StandardCharsets.UTF_8), new byte[] {9}, 5, 0);
    }

    private static QueueTarget target(String clientId, int subscriptionId) {
        return new QueueTarget(clientId, 1, false, List.of(subscriptionId));
    }

    /** c gets five messages, two of them shared with d (and one of those with e). */
    private void enqueueMixed() {
        store.messages().enqueue(message("one"), List.of(target("c", 1)));
        store.messages().enqueue(message("two"), List.of(target("c", 2), target("d", 2)));
        store.messages().enqueueAll(List.of(
                new QueueAppend(message("three"), List.of(target("c", 3))),
                new QueueAppend(message("four"), List.of(target("c", 4), target("d", 4), target("e", 4))),
                new QueueAppend(message("five"), List.of(target("c", 5)))));
    }

    @Test
    void bothKindsReadBackInSeqOrderWithTheirBodies() throws SQLException {
        enqueueMixed();

        List<QueuedMessage> c = store.messages().read("c", 0, 10);
        assertThat(c).extracting(e -> e.message().topic()).containsExactly("one", "two", "three", "four", "five");
        assertThat(c).extracting(QueuedMessage::seq).isSorted().doesNotHaveDuplicates();
        assertThat(c).extracting(QueuedMessage::message).containsExactly(message("one"), message("two"),
                message("three"), message("four"), message("five"));
        assertThat(c).extracting(QueuedMessage::subscriptionIds)
                .containsExactly(List.of(1), List.of(2), List.of(3), List.of(4), List.of(5));
        assertThat(store.messages().read("c", c.get(1).seq(), 2)).extracting(e -> e.message().topic())
                .containsExactly("three", "four");
        assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(5, 3 + 3 + 5 + 4 + 4));
        assertThat(store.messages().stats("d")).isEqualTo(new QueueStats(2, 3 + 4));

        assertThat(count("SELECT COUNT(*) FROM queue WHERE message_id IS NULL")).isEqualTo(3);
        assertThat(count("SELECT COUNT(*) FROM messages")).isEqualTo(2);

        store.messages().updateInflight("c", c.get(0).seq(), 17, InflightState.SENT);
        assertThat(store.messages().read("c", 0, 1)).singleElement()
                .isEqualTo(new QueuedMessage(c.get(0).seq(), message("one"), 1, false, List.of(1), 17,
                        InflightState.SENT));
    }

    @Test
    void removingAnInlineEntryOrTheLastReferenceLeavesNothingBehind() throws SQLException {
        enqueueMixed();
        List<QueuedMessage> c = store.messages().read("c", 0, 10);
        long[] seqs = c.stream().mapToLong(QueuedMessage::seq).toArray();

        store.messages().remove("c", seqs[0]);
        assertThat(count("SELECT COUNT(*) FROM queue")).isEqualTo(5 + 2 + 1 - 1);
        assertThat(count("SELECT COUNT(*) FROM messages")).isEqualTo(2);

        store.messages().remove("c", seqs[1]);  // "two" is still d's
        assertThat(count("SELECT refs FROM messages WHERE topic = 'two'")).isEqualTo(1);
        long dTwo = store.messages().read("d", 0, 1).get(0).seq();
        store.messages().remove("d", dTwo);
        assertThat(count("SELECT COUNT(*) FROM messages WHERE topic = 'two'")).isZero();

        store.messages().clear("c");  // "four" is still d's and e's
        assertThat(count("SELECT refs FROM messages WHERE topic = 'four'")).isEqualTo(2);
        assertThat(store.messages().read("d", 0, 10)).extracting(QueuedMessage::message)
                .containsExactly(message("four"));

        store.messages().clear("d");
        long eFour = store.messages().read("e", 0, 1).get(0).seq();
        store.messages().removeAll("e", new long[] {eFour}, 1);
        assertThat(count("SELECT COUNT(*) FROM queue")).isZero();
        assertThat(count("SELECT COUNT(*) FROM messages")).isZero();
    }

    /** A plain connection on the file: what the store committed, row by row. */
    private long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("volantmq.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }
}
