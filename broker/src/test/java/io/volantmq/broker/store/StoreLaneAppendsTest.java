package io.volantmq.broker.store;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Providers;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.SubscriptionStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A store lane over a {@link GuardedStore} and a real RocksDB store writes the queue appends of one round
 * in one {@link MessageStore#enqueueAll}, keeps the order of each thread's store calls, and acknowledges
 * nothing of a round whose appends failed. {@link Counted} only counts (and can fail) the calls the real
 * store gets.
 */
class StoreLaneAppendsTest {
    @TempDir
    Path dir;

    private Store openRocksDb() {
        return Providers.select("rocksdb", getClass().getClassLoader())
                .open(new ProviderConfig("rocksdb", Map.of("path", dir.resolve("db").toString())));
    }

    private static StoredMessage message(String payload) {
        return new StoredMessage("t", 1, false, payload.getBytes(StandardCharsets.UTF_8), null,
                System.currentTimeMillis(), 0);
    }

    private static List<String> payloads(List<QueuedMessage> entries) {
        return entries.stream().map(e -> new String(e.message().payload(), StandardCharsets.UTF_8)).toList();
    }

    /** One batch: its store work, then whether it is durable. */
    private static final class Work implements StoreLane.Batch {
        final CompletableFuture<Boolean> durable = new CompletableFuture<>();
        private final Runnable changes;

        Work(Runnable changes) {
            this.changes = changes;
        }

        @Override
        public void run() {
            changes.run();
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public void done(boolean isDurable) {
            durable.complete(isDurable);
        }
    }

    /** Holds the lane in its first batch until released, so the batches submitted meanwhile form one round. */
    private static Work blocker(CountDownLatch running, CountDownLatch release) {
        return new Work(() -> {
            running.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Submits {@code works} to client "s"'s lane behind a {@link #blocker}, so that they run as one round. */
    private static void oneRound(StoreLanes lanes, List<Work> works) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        lanes.lane("s").submit(blocker(running, release));
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        works.forEach(lanes.lane("s")::submit);
        release.countDown();
    }

    /** A batch that appends {@code payload} to client "s"'s queue at QoS 1. */
    private static Work append(GuardedStore guarded, String payload) {
        StoredMessage m = message(payload);
        return new Work(() -> guarded.messages().enqueue(m, List.of(new QueueTarget("s", 1, false, List.of()))));
    }

    @Test
    void theAppendsOfOneRoundReachTheStoreInOneWriteInOrderAndSurviveAReopen() throws Exception {
        Counted counted = new Counted(openRocksDb());
        GuardedStore guarded = new GuardedStore(counted, "rocksdb", 1000);
        List<Work> appends = new ArrayList<>();
        try (StoreLanes lanes = new StoreLanes(guarded, 1, 10_000)) {
            for (int i = 0; i < 50; i++) {
                appends.add(append(guarded, "m" + i));
            }
            oneRound(lanes, appends);
            for (Work w : appends) {
                assertThat(w.durable.get(10, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(counted.enqueues.get()).as("single appends").isZero();
        assertThat(counted.enqueueAllCalls.get()).as("one write for the round's 50 appends").isEqualTo(1);
        assertThat(counted.enqueueAllAppends.get()).isEqualTo(50);
        guarded.close();

        Store reopened = openRocksDb();
        assertThat(payloads(reopened.messages().read("s", 0, 100)))
                .containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(i -> "m" + i).toList());
        assertThat(reopened.messages().stats("s").messages()).isEqualTo(50);
        reopened.close();
    }

    @Test
    void anOtherStoreCallOfTheRoundSeesTheAppendsMadeBeforeItAndNotifiesComeAfterTheWrite() throws Exception {
        Counted counted = new Counted(openRocksDb());
        GuardedStore guarded = new GuardedStore(counted, "rocksdb", 1000);
        List<String> readInRound = new ArrayList<>();
        CompletableFuture<List<String>> readWhenVisible = new CompletableFuture<>();
        try (StoreLanes lanes = new StoreLanes(guarded, 1, 10_000)) {
            Work first = new Work(() -> {
                guarded.messages().enqueue(message("a"), List.of(new QueueTarget("s", 1, false, List.of())));
                // a subscriber woken now must find the entry: read from another thread, as its event loop does
                guarded.messages().whenVisible(() -> CompletableFuture.runAsync(() ->
                        readWhenVisible.complete(payloads(counted.messages().read("s", 0, 10)))));
            });
            Work reader = new Work(() -> readInRound.addAll(payloads(guarded.messages().read("s", 0, 10))));
            Work second = new Work(() ->
                    guarded.messages().enqueue(message("b"), List.of(new QueueTarget("s", 1, false, List.of()))));
            oneRound(lanes, List.of(first, reader, second));
            assertThat(second.durable.get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(readInRound).containsExactly("a");
        // the woken reader runs on another thread, so the lane may have written "b" too by the time it reads
        assertThat(readWhenVisible.get(10, TimeUnit.SECONDS)).startsWith("a");
        assertThat(payloads(guarded.messages().read("s", 0, 10))).containsExactly("a", "b");
        assertThat(counted.enqueueAllCalls.get()).as("the read split the round's appends in two writes").isEqualTo(2);
        guarded.close();
    }

    /**
     * A QoS 2 PUBLISH stores its packet id and its queue entries. Held back in a lane round, the ids go after the
     * round's appends: never ahead of their own entries (killed in between, the broker would keep an id without
     * its message and take the client's resend for a duplicate: the message never routed).
     */
    @Test
    void inboundQos2IdsAreWrittenAfterTheirAppends() throws Exception {
        Counted counted = new Counted(openRocksDb());
        GuardedStore guarded = new GuardedStore(counted, "rocksdb", 1000);
        List<Work> round = new ArrayList<>();
        try (StoreLanes lanes = new StoreLanes(guarded, 1, 10_000)) {
            for (int i = 1; i <= 3; i++) {
                round.add(qos2Publish(guarded, counted, i));
            }
            oneRound(lanes, round);
            for (Work w : round) {
                assertThat(w.durable.get(10, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(counted.writes).containsExactly("batch 1 done", "batch 2 done", "batch 3 done",
                "appends 3", "id 1", "id 2", "id 3");
        assertThat(guarded.messages().incomingQos2("pub")).containsExactlyInAnyOrder(1, 2, 3);
        guarded.close();
    }

    /** A round whose appends could not be written keeps none of its inbound QoS 2 ids either. */
    @Test
    void aFailedAppendWriteKeepsNoInboundQos2Id() throws Exception {
        Counted counted = new Counted(openRocksDb());
        GuardedStore guarded = new GuardedStore(counted, "rocksdb", 0);
        List<Work> round = new ArrayList<>();
        try (StoreLanes lanes = new StoreLanes(guarded, 1, 10_000)) {
            counted.failAppends = true;
            for (int i = 1; i <= 3; i++) {
                round.add(qos2Publish(guarded, counted, i));
            }
            oneRound(lanes, round);
            for (Work w : round) {
                assertThat(w.durable.get(10, TimeUnit.SECONDS)).as("its append failed").isFalse();
            }
        }
        assertThat(counted.writes).doesNotContain("id 1", "id 2", "id 3");
        assertThat(guarded.messages().incomingQos2("pub")).as("the resends are routed as new").isEmpty();
        guarded.close();
    }

    /** A QoS 2 PUBLISH's store work on its lane: its id, its queue entry; then the lane goes on. */
    private static Work qos2Publish(GuardedStore guarded, Counted counted, int packetId) {
        StoredMessage m = message("m" + packetId);
        return new Work(() -> {
            guarded.messages().addIncomingQos2("pub", packetId);
            guarded.messages().enqueue(m, List.of(new QueueTarget("s", 2, false, List.of())));
            counted.writes.add("batch " + packetId + " done"); // a kill may come now
        });
    }

    @Test
    void noBatchOfARoundWhoseAppendsFailedIsToldDurable() throws Exception {
        Counted counted = new Counted(openRocksDb());
        GuardedStore guarded = new GuardedStore(counted, "rocksdb", 0);
        List<Work> round = new ArrayList<>();
        try (StoreLanes lanes = new StoreLanes(guarded, 1, 10_000)) {
            counted.failAppends = true;
            for (int i = 0; i < 5; i++) {
                round.add(append(guarded, "m" + i));
            }
            oneRound(lanes, round);
            for (Work w : round) {
                assertThat(w.durable.get(10, TimeUnit.SECONDS)).as("its append failed").isFalse();
            }
            counted.failAppends = false;
            Work later = append(guarded, "later");
            lanes.lane("s").submit(later);
            assertThat(later.durable.get(10, TimeUnit.SECONDS)).as("the next round is not held to it").isTrue();
        }
        assertThat(payloads(guarded.messages().read("s", 0, 10))).containsExactly("later");
        guarded.close();
    }

    @Test
    void lanesThatFinishWhileAnotherLaneSyncsShareTheNextSync() throws Exception {
        Counted counted = new Counted(openRocksDb());
        counted.firstSyncHeld = new CountDownLatch(1);
        GuardedStore guarded = new GuardedStore(counted, "rocksdb", 1000);
        try (StoreLanes lanes = new StoreLanes(guarded, 3, 10_000)) {
            String[] clients = clientsOnDistinctLanes(lanes);
            Work first = new Work(() -> guarded.messages().enqueue(message("a"),
                    List.of(new QueueTarget(clients[0], 1, false, List.of()))));
            lanes.lane(clients[0]).submit(first);
            assertThat(counted.syncEntered.await(10, TimeUnit.SECONDS)).as("the first lane's sync runs").isTrue();
            Work second = new Work(() -> guarded.messages().enqueue(message("b"),
                    List.of(new QueueTarget(clients[1], 1, false, List.of()))));
            Work third = new Work(() -> guarded.messages().enqueue(message("c"),
                    List.of(new QueueTarget(clients[2], 1, false, List.of()))));
            lanes.lane(clients[1]).submit(second);
            lanes.lane(clients[2]).submit(third);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lanes.waitingForSync() < 2 && System.nanoTime() < deadline) { // the two others wait
                Thread.sleep(5);
            }
            assertThat(lanes.waitingForSync()).isEqualTo(2);
            counted.firstSyncHeld.countDown();
            assertThat(first.durable.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(second.durable.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(third.durable.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(counted.syncs.get()).as("the first lane's sync, then one for both others").isEqualTo(2);
            assertThat(lanes.syncs()).isEqualTo(2);
        }
        guarded.close();
    }

    /** One client id per lane, the first three lanes. */
    private static String[] clientsOnDistinctLanes(StoreLanes lanes) {
        List<StoreLane> seen = new ArrayList<>();
        List<String> clients = new ArrayList<>();
        for (int i = 0; clients.size() < 3; i++) {
            StoreLane lane = lanes.lane("c" + i);
            if (!seen.contains(lane)) {
                seen.add(lane);
                clients.add("c" + i);
            }
        }
        return clients.toArray(String[]::new);
    }

    /** The real store, counting its queue appends; {@link #failAppends} makes them fail as a full disk would. */
    private static final class Counted implements Store {
        final AtomicInteger enqueues = new AtomicInteger();
        final AtomicInteger enqueueAllCalls = new AtomicInteger();
        final AtomicInteger enqueueAllAppends = new AtomicInteger();
        /** The backend's writes in the order they came: "id N" for an inbound QoS 2 id, "appends N" for a write. */
        final List<String> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean failAppends;
        final AtomicInteger syncs = new AtomicInteger();
        final CountDownLatch syncEntered = new CountDownLatch(1);
        /** When set, the first sync waits for it: another lane's sync still running. */
        volatile CountDownLatch firstSyncHeld;
        private final Store real;
        private final MessageStore messages;

        Counted(Store real) {
            this.real = real;
            MessageStore m = real.messages();
            this.messages = new MessageStore() {
                @Override
                public void enqueue(StoredMessage message, List<QueueTarget> targets) {
                    enqueues.incrementAndGet();
                    m.enqueue(message, targets);
                }

                @Override
                public void enqueueAll(List<QueueAppend> appends) {
                    enqueueAllCalls.incrementAndGet();
                    enqueueAllAppends.addAndGet(appends.size());
                    writes.add("appends " + appends.size());
                    if (failAppends) {
                        throw new PersistenceException("no space left on device (the test's)");
                    }
                    m.enqueueAll(appends);
                }

                @Override
                public List<QueuedMessage> read(String clientId, long afterSeq, int max) {
                    return m.read(clientId, afterSeq, max);
                }

                @Override
                public void updateInflight(String clientId, long seq, int packetId, InflightState state) {
                    m.updateInflight(clientId, seq, packetId, state);
                }

                @Override
                public void remove(String clientId, long seq) {
                    m.remove(clientId, seq);
                }

                @Override
                public void removeAll(String clientId, long[] seqs, int count) {
                    m.removeAll(clientId, seqs, count);
                }

                @Override
                public void clear(String clientId) {
                    m.clear(clientId);
                }

                @Override
                public QueueStats stats(String clientId) {
                    return m.stats(clientId);
                }

                @Override
                public void addIncomingQos2(String clientId, int packetId) {
                    writes.add("id " + packetId);
                    m.addIncomingQos2(clientId, packetId);
                }

                @Override
                public void removeIncomingQos2(String clientId, int packetId) {
                    m.removeIncomingQos2(clientId, packetId);
                }

                @Override
                public Set<Integer> incomingQos2(String clientId) {
                    return m.incomingQos2(clientId);
                }

                @Override
                public void whenVisible(Runnable action) {
                    m.whenVisible(action);
                }
            };
        }

        @Override
        public SessionStore sessions() {
            return real.sessions();
        }

        @Override
        public SubscriptionStore subscriptions() {
            return real.subscriptions();
        }

        @Override
        public RetainedStore retained() {
            return real.retained();
        }

        @Override
        public MessageStore messages() {
            return messages;
        }

        @Override
        public Durability durability() {
            return real.durability();
        }

        @Override
        public void sync() {
            CountDownLatch held = firstSyncHeld;
            if (syncs.incrementAndGet() == 1 && held != null) {
                syncEntered.countDown();
                try {
                    held.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            real.sync();
        }

        @Override
        public int maxConcurrency() {
            return real.maxConcurrency();
        }

        @Override
        public void close() {
            real.close();
        }
    }
}
