package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.QueueEntry;
import io.volantmq.persistence.codec.RecordCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.volantmq.persistence.contract.Fixtures.message;
import static io.volantmq.persistence.contract.Fixtures.payloads;
import static io.volantmq.persistence.contract.Fixtures.readAll;
import static io.volantmq.persistence.contract.Fixtures.seqs;
import static io.volantmq.persistence.contract.Fixtures.targets;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The queue layout through a real RocksDB: a message for one queue lives in its entry (no body, no reference
 * count), a message for several queues keeps one shared counted body, and entries of the layout before
 * inline entries (shared body for every message) still read, change and remove.
 */
class RocksDbQueueLayoutTest {
    @TempDir
    Path dir;

    private Store store;

    private Store open() {
        store = new RocksDbProvider().open(new ProviderConfig("rocksdb", Map.of("path", dir.resolve("db").toString())));
        return store;
    }

    private Store reopen() {
        store.close();
        return open();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private RocksDbStore rocks() {
        return (RocksDbStore) store;
    }

    @Test
    void oneTargetMessagesLiveInTheirEntryAndSurviveAReopen() {
        open();
        StoredMessage big = message("big", new byte[100_000]);
        store.messages().enqueue(message("t", "m1"), targets("sub"));
        store.messages().enqueueAll(List.of(new QueueAppend(message("t", "m2"), targets("sub")),
                new QueueAppend(big, List.of(new QueueTarget("sub", 2, true, List.of(7, 9)))),
                new QueueAppend(message("t", "m3"), targets("sub"))));
        long second = readAll(store, "sub").get(1).seq();
        store.messages().updateInflight("sub", second, 42, InflightState.SENT);

        assertThat(keys(rocks().files().messages())).as("bodies stored apart").isZero();
        assertThat(keys(rocks().files().refs())).as("reference counts").isZero();

        reopen();
        List<QueuedMessage> queue = readAll(store, "sub");
        assertThat(payloads(queue)).containsExactly("m1", "m2", new String(new byte[100_000]), "m3");
        assertThat(queue.get(1).packetId()).isEqualTo(42);
        assertThat(queue.get(1).state()).isEqualTo(InflightState.SENT);
        assertThat(queue.get(1).message()).isEqualTo(message("t", "m2"));
        assertThat(queue.get(2).message()).isEqualTo(big);
        assertThat(queue.get(2).qos()).isEqualTo(2);
        assertThat(queue.get(2).retain()).isTrue();
        assertThat(queue.get(2).subscriptionIds()).containsExactly(7, 9);
        assertThat(store.messages().stats("sub")).isEqualTo(new QueueStats(4, 2 + 2 + 100_000 + 2));
    }

    @Test
    void mixedOneAndManyTargetMessagesShareOnlyTheManyTargetBody() {
        open();
        store.messages().enqueueAll(List.of(new QueueAppend(message("t", "a-only"), targets("a")),
                new QueueAppend(message("t", "all"), targets("a", "b", "c")),
                new QueueAppend(message("t", "b-only"), targets("b"))));

        assertThat(keys(rocks().files().messages())).as("only the three-target message has a body").isEqualTo(1);
        assertThat(keys(rocks().files().refs())).isEqualTo(1);
        reopen();
        assertThat(payloads(readAll(store, "a"))).containsExactly("a-only", "all");
        assertThat(payloads(readAll(store, "b"))).containsExactly("all", "b-only");
        assertThat(payloads(readAll(store, "c"))).containsExactly("all");

        for (QueuedMessage e : readAll(store, "a")) {
            store.messages().remove("a", e.seq());
        }
        assertThat(keys(rocks().files().messages())).as("b and c still reference it").isEqualTo(1);
        assertThat(payloads(readAll(store, "b"))).containsExactly("all", "b-only");
        store.messages().clear("c");
        store.messages().removeAll("b", seqs(readAll(store, "b")).stream().mapToLong(Long::longValue).toArray(), 2);

        assertThat(keys(rocks().files().messages())).isZero();
        assertThat(keys(rocks().files().refs())).isZero();
        assertThat(keys(rocks().files().queues())).isZero();
        for (String client : List.of("a", "b", "c")) {
            assertThat(store.messages().stats(client)).isEqualTo(QueueStats.EMPTY);
        }
    }

    @Test
    void oneRemoveAllTakesInlineAndSharedEntriesSkippingAbsentAndRepeatedOnes() {
        open();
        for (int i = 0; i < 6; i++) {
            store.messages().enqueue(message("t", "m" + i), i % 2 == 0 ? targets("q") : targets("q", "other"));
        }
        List<Long> seqs = seqs(readAll(store, "q"));
        // m0 (inline), m1 (shared) twice, m4 (inline), and a seq that is not there
        long[] remove = {seqs.get(0), seqs.get(1), seqs.get(1), seqs.get(4), seqs.get(5) + 1000, 0};
        store.messages().removeAll("q", remove, 5);

        assertThat(payloads(readAll(store, "q"))).containsExactly("m2", "m3", "m5");
        assertThat(store.messages().stats("q")).isEqualTo(new QueueStats(3, 6));
        assertThat(keys(rocks().files().messages())).as("m3 and m5 for both, m1 for other").isEqualTo(3);
        reopen();
        assertThat(store.messages().stats("q")).isEqualTo(new QueueStats(3, 6));
        assertThat(payloads(readAll(store, "other"))).containsExactly("m1", "m3", "m5");

        store.messages().removeAll("other", seqs(readAll(store, "other")).stream().mapToLong(Long::longValue).toArray(), 3);
        assertThat(keys(rocks().files().messages())).as("q still holds m3 and m5").isEqualTo(2);
        assertThat(payloads(readAll(store, "q"))).containsExactly("m2", "m3", "m5");
        store.messages().removeAll("q", seqs(readAll(store, "q")).stream().mapToLong(Long::longValue).toArray(), 3);
        assertThat(keys(rocks().files().messages())).isZero();
        assertThat(keys(rocks().files().refs())).isZero();
        assertThat(store.messages().stats("q")).isEqualTo(QueueStats.EMPTY);
    }

    /**
     * Entries as the layout before inline entries wrote them (each message a counted body, the entry naming
     * it), also for one-target messages, followed by new appends: all read in order, change and remove.
     */
    @Test
    void entriesOfTheLayoutBeforeInlineEntriesStillReadChangeAndRemove() throws RocksDBException {
        open();
        long first = rocks().ids().next(3);
        writeOldLayout("old", first, message("t", "old1"), 1);
        writeOldLayout("old", first + 1, message("t", "old2"), 2); // also in "peer"'s queue
        oldLayoutEntry("peer", first + 2, first + 1, 4); // seq = body id + target index
        oldStats("old", 2, 8);
        oldStats("peer", 1, 4);
        reopen();
        store.messages().enqueue(message("t", "new1"), targets("old"));
        store.messages().enqueue(message("t", "new2"), targets("old"));

        List<QueuedMessage> queue = readAll(store, "old");
        assertThat(payloads(queue)).containsExactly("old1", "old2", "new1", "new2");
        assertThat(store.messages().stats("old")).isEqualTo(new QueueStats(4, 16));
        store.messages().updateInflight("old", queue.get(0).seq(), 5, InflightState.SENT);
        reopen();
        assertThat(readAll(store, "old").get(0).state()).isEqualTo(InflightState.SENT);

        store.messages().removeAll("old", new long[] {queue.get(0).seq(), queue.get(1).seq(), queue.get(2).seq()}, 3);
        assertThat(payloads(readAll(store, "old"))).containsExactly("new2");
        assertThat(store.messages().stats("old")).isEqualTo(new QueueStats(1, 4));
        assertThat(keys(rocks().files().messages())).as("old2 is still in peer's queue").isEqualTo(1);
        assertThat(payloads(readAll(store, "peer"))).containsExactly("old2");

        store.messages().remove("peer", first + 2);
        assertThat(keys(rocks().files().messages())).isZero();
        assertThat(keys(rocks().files().refs())).isZero();
        assertThat(store.messages().stats("peer")).isEqualTo(QueueStats.EMPTY);
    }

    /**
     * The broker's drop-oldest bound (QueueLimits): at the bound, read the oldest entry, remove it, append.
     * The stats the bound is decided on stay right in memory and on disk.
     */
    @Test
    void dropOldestAtTheBoundWithInlineEntries() {
        open();
        int bound = 5;
        List<String> dropped = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            if (store.messages().stats("slow").messages() >= bound) {
                QueuedMessage oldest = store.messages().read("slow", 0, 1).get(0);
                store.messages().remove("slow", oldest.seq());
                dropped.add(new String(oldest.message().payload()));
            }
            store.messages().enqueue(message("t", "m" + (i < 10 ? "0" : "") + i), targets("slow"));
            if (i == 7) {
                reopen();
            }
        }
        assertThat(dropped).containsExactly("m00", "m01", "m02", "m03", "m04", "m05", "m06");
        assertThat(payloads(readAll(store, "slow"))).containsExactly("m07", "m08", "m09", "m10", "m11");
        assertThat(store.messages().stats("slow")).isEqualTo(new QueueStats(5, 15));
        assertThat(keys(rocks().files().messages())).isZero();
        reopen();
        assertThat(store.messages().stats("slow")).isEqualTo(new QueueStats(5, 15));
        assertThat(payloads(readAll(store, "slow"))).containsExactly("m07", "m08", "m09", "m10", "m11");
    }

    private long keys(ColumnFamilyHandle family) {
        long n = 0;
        try (RocksIterator it = rocks().db().newIterator(family)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
        }
        return n;
    }

    /** A body with its reference count and one entry for it in {@code clientId}'s queue, as before inline entries. */
    private void writeOldLayout(String clientId, long id, StoredMessage m, int references) throws RocksDBException {
        try (WriteBatch batch = new WriteBatch(); WriteOptions options = new WriteOptions()) {
            batch.put(rocks().files().messages(), Keys.id(id), RecordCodec.message(m));
            batch.put(rocks().files().refs(), Keys.id(id), Keys.id(references));
            rocks().db().write(options, batch);
        }
        oldLayoutEntry(clientId, id, id, m.payload().length);
    }

    private void oldLayoutEntry(String clientId, long seq, long bodyId, int payloadLength) throws RocksDBException {
        QueueEntry entry = new QueueEntry(bodyId, payloadLength, 1, false, List.of(), 0, InflightState.QUEUED);
        rocks().db().put(rocks().files().queues(), Keys.entry(clientId, seq), RecordCodec.queueEntry(entry));
    }

    private void oldStats(String clientId, long messages, long bytes) throws RocksDBException {
        rocks().db().put(rocks().files().stats(), Keys.utf8(clientId),
                ByteBuffer.allocate(16).putLong(messages).putLong(bytes).array());
    }
}
