package io.volantmq.broker.store;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Providers;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Store lanes over a real RocksDB store in its default {@code commit=group} mode. */
class StoreLanesTest {
    @TempDir
    Path dir;

    private Store open() {
        return Providers.select("rocksdb", getClass().getClassLoader())
                .open(new ProviderConfig("rocksdb", Map.of("path", dir.resolve("db").toString())));
    }

    /** Appends one message to {@code clientId}'s queue, then hears whether it is durable. */
    private static final class Append implements StoreLane.Batch {
        final CompletableFuture<Boolean> durable = new CompletableFuture<>();
        private final Store store;
        private final String clientId;
        private final String payload;
        private final int size;
        private final boolean needsSync;

        Append(Store store, String clientId, String payload, int size) {
            this(store, clientId, payload, size, true);
        }

        Append(Store store, String clientId, String payload, int size, boolean needsSync) {
            this.store = store;
            this.clientId = clientId;
            this.payload = payload;
            this.size = size;
            this.needsSync = needsSync;
        }

        @Override
        public boolean needsSync() {
            return needsSync;
        }

        @Override
        public void run() {
            if (payload == null) {
                throw new PersistenceException("this batch's store change fails");
            }
            StoredMessage m = new StoredMessage("t", 1, false, payload.getBytes(StandardCharsets.UTF_8), null,
                    System.currentTimeMillis(), 0);
            store.messages().enqueue(m, List.of(new QueueTarget(clientId, 1, false, List.of())));
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public void done(boolean isDurable) {
            durable.complete(isDurable);
        }
    }

    @Test
    void oneClientsBatchesRunInOrderAndAreToldOnceDurable() throws Exception {
        Store store = open();
        Append[] appends = new Append[200];
        try (StoreLanes lanes = new StoreLanes(store, 3, 10_000)) {
            for (int i = 0; i < appends.length; i++) {
                appends[i] = new Append(store, "c", "m" + i, 1);
                lanes.lane("c").submit(appends[i]);
            }
            for (Append a : appends) {
                assertThat(a.durable.get(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(lanes.syncs()).isPositive();
            assertThat(lanes.batches()).isEqualTo(appends.length);
        }
        store.close();
        Store reopened = open(); // what was told durable is there after a reopen, in the order handed over
        List<QueuedMessage> queue = reopened.messages().read("c", 0, 1000);
        assertThat(queue).extracting(q -> new String(q.message().payload(), StandardCharsets.UTF_8))
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, appends.length).mapToObj(i -> "m" + i)
                        .toList());
        reopened.close();
    }

    @Test
    void batchesThatNeedNoSyncRunWithoutOne() throws Exception {
        Store store = open();
        try (StoreLanes lanes = new StoreLanes(store, 1, 10_000)) {
            for (int i = 0; i < 20; i++) {
                Append unsynced = new Append(store, "c", "u" + i, 1, false);
                lanes.lane("c").submit(unsynced);
                assertThat(unsynced.durable.get(10, TimeUnit.SECONDS)).isTrue(); // ran
            }
            assertThat(lanes.syncs()).isZero();
            assertThat(store.messages().read("c", 0, 100)).hasSize(20);

            Append synced = new Append(store, "c", "s", 1);
            lanes.lane("c").submit(synced);
            assertThat(synced.durable.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(lanes.syncs()).isEqualTo(1);
        }
        store.close();
    }

    @Test
    void aFailingBatchIsToldNotDurableAndTheOthersStillAre() throws Exception {
        Store store = open();
        try (StoreLanes lanes = new StoreLanes(store, 1, 10_000)) {
            Append before = new Append(store, "a", "x", 1);
            Append failing = new Append(store, "b", null, 1);
            Append after = new Append(store, "a", "y", 1);
            lanes.lane("a").submit(before);
            lanes.lane("b").submit(failing);
            lanes.lane("a").submit(after);
            assertThat(before.durable.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(failing.durable.get(10, TimeUnit.SECONDS)).isFalse();
            assertThat(after.durable.get(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            store.close();
        }
    }

    @Test
    void aLaneOverItsBoundSaysSoAndIsEmptyOnceDone() throws Exception {
        Store store = open();
        try (StoreLanes lanes = new StoreLanes(store, 1, 4)) {
            StoreLane lane = lanes.lane("p");
            Append small = new Append(store, "p", "s", 4);
            Append large = new Append(store, "p", "l", 5);
            assertThat(lane.submit(small)).as("4 packets: within the bound").isFalse();
            small.durable.get(10, TimeUnit.SECONDS);
            assertThat(lane.submit(large)).as("5 packets: over it, the caller stops reading").isTrue();
            assertThat(large.durable.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(lane.backlog()).isZero();
        } finally {
            store.close();
        }
    }

    @Test
    void afterCloseABatchIsToldAtOnceThatItIsNotDurable() throws Exception {
        Store store = open();
        StoreLanes lanes = new StoreLanes(store, 1, 10);
        lanes.close();
        Append late = new Append(store, "z", "late", 1);
        assertThat(lanes.lane("z").submit(late)).isFalse();
        assertThat(late.durable.getNow(null)).isFalse();
        store.close();
    }
}
