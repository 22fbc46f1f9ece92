package io.volantmq.persistence.contract;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.volantmq.persistence.contract.Fixtures.message;
import static io.volantmq.persistence.contract.Fixtures.payloads;
import static io.volantmq.persistence.contract.Fixtures.randomBytes;
import static io.volantmq.persistence.contract.Fixtures.readAll;
import static io.volantmq.persistence.contract.Fixtures.seqs;
import static io.volantmq.persistence.contract.Fixtures.session;
import static io.volantmq.persistence.contract.Fixtures.subscription;
import static io.volantmq.persistence.contract.Fixtures.withOwner;
import static io.volantmq.persistence.contract.Fixtures.target;
import static io.volantmq.persistence.contract.Fixtures.targets;
import static io.volantmq.persistence.contract.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/**
 * The contract of a durable backend, on top of {@link StoreContract}: everything survives a close and
 * reopen, a {@code kill -9} loses nothing that a {@link Store#sync()} covered, and a store damaged the
 * way a crash damages it ({@link #damage}) opens again with what can be read. The kill test runs
 * {@link CrashWriter} in a child JVM on this test's class path, so the backend must be registered in
 * {@code META-INF/services}.
 */
public abstract class DurableStoreContract extends StoreContract {

    /**
     * Whether queue entries keep their sequence numbers across a reopen. A write-behind store hands
     * out its own numbers before the backend numbers the entries, so it answers false; its entries
     * are then compared without them, and their numbers must still increase.
     */
    protected boolean seqsSurviveAReopen() {
        return true;
    }

    private static List<QueuedMessage> withoutSeqs(List<QueuedMessage> entries) {
        return entries.stream().map(e -> new QueuedMessage(0, e.message(), e.qos(), e.retain(), e.subscriptionIds(),
                e.packetId(), e.state())).toList();
    }

    @Test
    void declaresItselfDurable() {
        assertThat(provider().durable()).isTrue();
    }

    @Nested
    class Durability {

        @Test
        void everythingSurvivesAReopen() {
            StoredMessage big = message("big", randomBytes(256 * 1024, 5));
            store.sessions().put(session("c1"));
            store.sessions().put(new SessionState("c2", 4, SessionState.NEVER_EXPIRES, 0, null, 0));
            store.sessions().put(withOwner(session("c3"), "carol"));
            store.subscriptions().put("c1", subscription("z/#", 2));
            store.subscriptions().put("c1", subscription("a/+", 1));
            store.subscriptions().put("c1", new StoredSubscription("z/#", 0, true, true, 1, 99));
            store.retained().put(message("r/1", "one"));
            store.retained().put(big);
            store.messages().enqueue(message("t", "m0"), List.of(new QueueTarget("c1", 2, true, List.of(4, 5)), target("c2")));
            store.messages().enqueue(big, targets("c1"));
            store.messages().enqueue(message("t", "m2"), targets("c1"));
            List<Long> seqs = seqs(readAll(store, "c1"));
            store.messages().updateInflight("c1", seqs.get(0), 12, InflightState.RELEASED);
            store.messages().updateInflight("c1", seqs.get(1), 13, InflightState.SENT);
            store.messages().addIncomingQos2("c1", 44);
            List<QueuedMessage> before = readAll(store, "c1");

            reopen();

            assertThat(store.sessions().get("c1")).contains(session("c1"));
            assertThat(store.sessions().get("c2")).contains(new SessionState("c2", 4, SessionState.NEVER_EXPIRES, 0, null, 0));
            assertThat(store.sessions().get("c3")).contains(withOwner(session("c3"), "carol"));
            assertThat(store.subscriptions().get("c1"))
                    .containsExactly(new StoredSubscription("z/#", 0, true, true, 1, 99), subscription("a/+", 1));
            assertThat(store.retained().count()).isEqualTo(2);
            assertThat(store.retained().get("big")).contains(big);
            List<QueuedMessage> after = readAll(store, "c1");
            if (seqsSurviveAReopen()) {
                assertThat(after).isEqualTo(before);
            } else {
                assertThat(seqs(after)).isSorted().doesNotHaveDuplicates().allSatisfy(seq -> assertThat(seq).isPositive());
                assertThat(withoutSeqs(after)).isEqualTo(withoutSeqs(before));
            }
            assertThat(readAll(store, "c1").get(0).subscriptionIds()).containsExactly(4, 5);
            assertThat(payloads(readAll(store, "c2"))).containsExactly("m0");
            assertThat(store.messages().stats("c1")).isEqualTo(new QueueStats(3, 2 + 256 * 1024 + 2));
            assertThat(store.messages().incomingQos2("c1")).containsExactly(44);

            store.messages().enqueue(message("t", "after reopen"), targets("c1"));
            assertThat(readAll(store, "c1").get(3).seq()).as("above every seq handed out before the reopen")
                    .isGreaterThan(Collections.max(seqs(before)));
        }

        @Test
        void deletionsSurviveAReopen() {
            store.sessions().put(session("gone"));
            store.subscriptions().put("c", subscription("gone", 1));
            store.subscriptions().put("c", subscription("kept", 1));
            store.retained().put(message("gone", "x"));
            store.messages().enqueue(message("t", "gone"), targets("c", "cleared"));
            store.messages().enqueue(message("t", "kept"), targets("c"));
            store.messages().addIncomingQos2("c", 1);
            store.messages().addIncomingQos2("cleared", 2);

            store.sessions().delete("gone");
            store.subscriptions().delete("c", "gone");
            store.retained().delete("gone");
            store.messages().remove("c", readAll(store, "c").get(0).seq());
            store.messages().removeIncomingQos2("c", 1);
            store.messages().clear("cleared");
            reopen();

            assertThat(store.sessions().get("gone")).isEmpty();
            assertThat(store.subscriptions().get("c")).containsExactly(subscription("kept", 1));
            assertThat(store.retained().get("gone")).isEmpty();
            assertThat(store.retained().count()).isZero();
            assertThat(payloads(readAll(store, "c"))).containsExactly("kept");
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(1, 4));
            assertThat(readAll(store, "cleared")).isEmpty();
            assertThat(store.messages().stats("cleared")).isEqualTo(QueueStats.EMPTY);
            assertThat(store.messages().incomingQos2("c")).isEmpty();
            assertThat(store.messages().incomingQos2("cleared")).isEmpty();
        }

        @Test
        void seqKeepsIncreasingAcrossReopensAndIsNeverReused() {
            for (int i = 0; i < 3; i++) {
                store.messages().enqueue(message("t", "m" + i), targets("c"));
            }
            List<Long> first = seqs(readAll(store, "c"));
            // removing the tail leaves no entry that remembers the highest seq handed out
            store.messages().remove("c", first.get(2));
            reopen();

            store.messages().enqueue(message("t", "after reopen"), targets("c"));
            List<QueuedMessage> entries = readAll(store, "c");
            assertThat(payloads(entries)).containsExactly("m0", "m1", "after reopen");
            long afterReopen = entries.get(2).seq();
            assertThat(afterReopen).isGreaterThan(first.get(2));

            store.messages().clear("c");
            reopen();
            store.messages().enqueue(message("t", "after clear and reopen"), targets("c"));
            assertThat(readAll(store, "c")).singleElement().satisfies(e -> assertThat(e.seq()).isGreaterThan(afterReopen));

            // and once more with entries on both sides of the reopen
            reopen();
            store.messages().enqueue(message("t", "late"), targets("c"));
            assertThat(seqs(readAll(store, "c"))).isSorted().doesNotHaveDuplicates().hasSize(2);
        }

        @Test
        void sharedMessageSurvivesPartialRemovalAcrossReopens() {
            StoredMessage shared = message("shared", randomBytes(10_000, 9));
            store.messages().enqueue(shared, targets("one", "two", "three"));

            store.messages().remove("one", readAll(store, "one").get(0).seq());
            reopen();
            store.messages().remove("two", readAll(store, "two").get(0).seq());
            reopen();

            assertThat(readAll(store, "one")).isEmpty();
            assertThat(readAll(store, "two")).isEmpty();
            assertThat(readAll(store, "three")).extracting(QueuedMessage::message).containsExactly(shared);

            store.messages().remove("three", readAll(store, "three").get(0).seq());
            reopen();
            assertThat(readAll(store, "three")).isEmpty();
            assertThat(store.messages().stats("three")).isEqualTo(QueueStats.EMPTY);
        }

        @Test
        void repeatedReopensKeepEveryGeneration() {
            for (int generation = 0; generation < 4; generation++) {
                store.sessions().put(session("g" + generation));
                store.subscriptions().put("c", subscription("g/" + generation, 1));
                store.messages().enqueue(message("t", "g" + generation), targets("c"));
                reopen();
            }

            for (int generation = 0; generation < 4; generation++) {
                assertThat(store.sessions().get("g" + generation)).contains(session("g" + generation));
            }
            assertThat(store.subscriptions().get("c")).extracting(StoredSubscription::filter)
                    .containsExactly("g/0", "g/1", "g/2", "g/3");
            assertThat(payloads(readAll(store, "c"))).containsExactly("g0", "g1", "g2", "g3");
            assertThat(seqs(readAll(store, "c"))).isSorted().doesNotHaveDuplicates();
        }

        @Test
        void killDashNineLosesNothingAcknowledged() throws Exception {
            store.close();
            store = null;
            ProviderConfig config = config(tempDir);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(), config.providerName()));
            config.values().forEach((key, value) -> command.add(key + "=" + value));
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            int acked = -1;
            List<String> output = Collections.synchronizedList(new ArrayList<>());
            try {
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread reader = new Thread(() -> {
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            lines.add(line);
                        }
                    } catch (IOException ignored) {
                        // the child was killed
                    }
                }, "crash-writer-output");
                reader.setDaemon(true);
                reader.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (acked < 150) {
                    String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (line == null) {
                        fail("the writer acknowledged " + (acked + 1) + " changes in 60 s (alive: " + child.isAlive() + "); output: "
                                + output.subList(Math.max(0, output.size() - 30), output.size()));
                    }
                    if (line.startsWith("ACK ")) {
                        acked = Integer.parseInt(line.substring(4));
                    } else {
                        output.add(line);
                    }
                }
            } finally {
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("killed writer exits").isTrue();
            }

            store = provider().open(config(tempDir));
            List<QueuedMessage> all = readAll(store, CrashWriter.QUEUE_ALL);
            assertThat(all.size()).as("entries in " + CrashWriter.QUEUE_ALL).isGreaterThan(acked);
            for (int n = 0; n <= acked; n++) {
                assertThat(all.get(n).message()).isEqualTo(CrashWriter.queued(n));
                assertThat(store.sessions().get("crash-" + n)).contains(session("crash-" + n));
                assertThat(store.retained().get("crash/" + n)).contains(CrashWriter.retained(n));
            }
            List<QueuedMessage> partlyAcked = readAll(store, CrashWriter.QUEUE_ACKED);
            for (List<QueuedMessage> queue : List.of(all, partlyAcked)) {
                assertThat(seqs(queue)).isSorted().doesNotHaveDuplicates();
                long bytes = 0;
                for (QueuedMessage entry : queue) {
                    int n = Integer.parseInt(entry.message().topic().substring("crash/".length()));
                    assertThat(entry.message()).isEqualTo(CrashWriter.queued(n));
                    bytes += entry.message().payload().length;
                }
                assertThat(store.messages().stats(queue == all ? CrashWriter.QUEUE_ALL : CrashWriter.QUEUE_ACKED))
                        .isEqualTo(new QueueStats(queue.size(), bytes));
            }
            // acks removed the oldest entries of the second queue: about half of what was written remains
            assertThat(partlyAcked.size()).isBetween(all.size() / 2 - 1, all.size() / 2 + 1);
        }

        @Test
        void damagedStoreReopensAndWhatSurvivesIsReadable() throws IOException {
            Map<String, StoredMessage> written = new LinkedHashMap<>();
            for (int i = 0; i < 40; i++) {
                store.sessions().put(session("s-" + i));
                StoredMessage retained = message("r/" + i, randomBytes(100 + i * 37, i));
                store.retained().put(retained);
                StoredMessage queued = message("q/" + i, randomBytes(200 + i * 53, 1000 + i));
                written.put(queued.topic(), queued);
                store.messages().enqueue(queued, targets("d-1", "d-2"));
            }
            store.close();
            store = null;

            damage(tempDir);
            store = assertDoesNotThrow(() -> provider().open(config(tempDir)), "open after damage");

            store.sessions().forEach(s -> assertThat(s).isEqualTo(session(s.clientId())));
            List<StoredMessage> retained = new ArrayList<>();
            store.retained().forEach(retained::add);
            for (StoredMessage m : retained) {
                int i = Integer.parseInt(m.topic().substring(2));
                assertThat(m).isEqualTo(message("r/" + i, randomBytes(100 + i * 37, i)));
            }
            assertThat(store.retained().count()).isEqualTo(retained.size());

            List<QueuedMessage> d1 = readAll(store, "d-1");
            List<QueuedMessage> d2 = readAll(store, "d-2");
            for (List<QueuedMessage> queue : List.of(d1, d2)) {
                assertThat(seqs(queue)).isSorted().doesNotHaveDuplicates();
                queue.forEach(e -> assertThat(e.message()).isEqualTo(written.get(e.message().topic())));
            }
            // enqueue is all or nothing, so recovery keeps a fan-out in both queues or in neither
            assertThat(d1).extracting(e -> e.message().topic()).isEqualTo(d2.stream().map(e -> e.message().topic()).toList());
            long bytes = d1.stream().mapToLong(e -> e.message().payload().length).sum();
            assertThat(store.messages().stats("d-1")).isEqualTo(new QueueStats(d1.size(), bytes));

            long highest = d1.isEmpty() ? 0 : d1.get(d1.size() - 1).seq();
            store.messages().enqueue(message("t", "after damage"), targets("d-1"));
            store.sessions().put(session("after damage"));
            reopen();
            List<QueuedMessage> after = readAll(store, "d-1");
            assertThat(after).hasSize(d1.size() + 1);
            assertThat(after.get(after.size() - 1).seq()).isGreaterThan(highest);
            assertThat(text(after.get(after.size() - 1).message().payload())).isEqualTo("after damage");
            assertThat(store.sessions().get("after damage")).isPresent();
        }
    }
}
