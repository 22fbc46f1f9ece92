package io.volantmq.persistence.contract;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.Provider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Providers;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import static io.volantmq.persistence.contract.Fixtures.message;
import static io.volantmq.persistence.contract.Fixtures.payloads;
import static io.volantmq.persistence.contract.Fixtures.randomBytes;
import static io.volantmq.persistence.contract.Fixtures.readAll;
import static io.volantmq.persistence.contract.Fixtures.seqs;
import static io.volantmq.persistence.contract.Fixtures.session;
import static io.volantmq.persistence.contract.Fixtures.subscription;
import static io.volantmq.persistence.contract.Fixtures.withOwner;
import static io.volantmq.persistence.contract.Fixtures.targets;
import static io.volantmq.persistence.contract.Fixtures.text;
import static io.volantmq.persistence.contract.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The contract every persistence backend runs, shipped in persistence-api's test-jar. A backend
 * module extends it, or {@link DurableStoreContract} for a durable backend, or
 * {@link FileStoreContract} for one that keeps files, in a few lines:
 * <pre>{@code
 * class RocksDbStoreTest extends FileStoreContract {
 *     protected Provider provider() { return new RocksDbProvider(); }
 *     protected ProviderConfig config(Path dir) {
 *         return new ProviderConfig("rocksdb", Map.of("path", dir.resolve("db").toString()));
 *     }
 * }
 * }</pre>
 * Every test opens a fresh store from {@link #config} in its own temporary directory and closes
 * it afterwards. The Javadoc of the SPI is the contract; each nested group checks one part of it:
 * the four domains, what a reopen keeps (everything for a durable store, nothing for another),
 * concurrency beyond {@link Store#maxConcurrency()}, discovery through
 * {@link java.util.ServiceLoader}, and configuration errors.
 */
public abstract class StoreContract {

    /** The backend under test. */
    protected abstract Provider provider();

    /**
     * The configuration of a store that keeps its files, if any, under {@code tempDir}; the same
     * directory must give the same store back, a fresh directory an empty one.
     */
    protected abstract ProviderConfig config(Path tempDir);

    /**
     * Damages the closed store under {@code tempDir} the way a crash or power loss would, e.g.
     * with {@link Fixtures#truncateNewest}, for {@link DurableStoreContract}'s recovery test. The
     * default does nothing, and that test then simply reopens.
     */
    protected void damage(Path tempDir) throws IOException {
    }

    /** The directory of the current test's store. */
    protected Path tempDir;
    /** The open store of the current test; tests that reopen replace it. */
    protected Store store;

    @BeforeEach
    void openStore(@TempDir Path dir) {
        tempDir = dir;
        store = provider().open(config(dir));
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    /** Closes the store and opens it again from the same configuration. */
    protected Store reopen() {
        store.close();
        store = null;
        store = provider().open(config(tempDir));
        return store;
    }

    @Nested
    class Sessions {

        @Test
        void putThenGetReturnsEveryField() {
            SessionState state = session("client-1");
            store.sessions().put(state);

            assertThat(store.sessions().get("client-1")).contains(state);
            SessionState read = store.sessions().get("client-1").orElseThrow();
            assertThat(read.will().payload()).isEqualTo(state.will().payload());
            assertThat(read.will().properties()).isEqualTo(state.will().properties());
        }

        @Test
        void sessionWithoutWillThatNeverExpires() {
            SessionState state = new SessionState("v311", 4, SessionState.NEVER_EXPIRES, 0, null, 0);
            store.sessions().put(state);

            SessionState read = store.sessions().get("v311").orElseThrow();
            assertThat(read).isEqualTo(state);
            assertThat(read.will()).isNull();
            assertThat(read.expiryIntervalSeconds()).isEqualTo(0xFFFFFFFFL);
        }

        @Test
        void theOwnerRoundTripsWithAndWithoutWill() {
            SessionState withWill = withOwner(session("owned-1"), "alice");
            SessionState withoutWill = new SessionState("owned-2", 4, SessionState.NEVER_EXPIRES, 0, null, 0,
                    "CN=device 7,O=Ünïcødé");
            SessionState unowned = session("unowned");
            store.sessions().put(withWill);
            store.sessions().put(withoutWill);
            store.sessions().put(unowned);

            assertThat(store.sessions().get("owned-1")).contains(withWill);
            assertThat(store.sessions().get("owned-2")).contains(withoutWill);
            assertThat(store.sessions().get("unowned").orElseThrow().owner()).isNull();
            List<SessionState> all = new ArrayList<>();
            store.sessions().forEach(all::add);
            assertThat(all).containsExactlyInAnyOrder(withWill, withoutWill, unowned);
        }

        @Test
        void aLaterPutChangesOrDropsTheOwner() {
            store.sessions().put(withOwner(session("c"), "alice"));
            store.sessions().put(withOwner(session("c"), "bob"));
            assertThat(store.sessions().get("c").orElseThrow().owner()).isEqualTo("bob");

            store.sessions().put(session("c"));
            assertThat(store.sessions().get("c").orElseThrow().owner()).isNull();
        }

        @Test
        void getOfUnknownClientIsEmpty() {
            assertThat(store.sessions().get("nobody")).isEmpty();
        }

        @Test
        void putReplacesTheEarlierState() {
            store.sessions().put(session("c"));
            SessionState later = new SessionState("c", 4, 10, Fixtures.CREATED + 1000, null, 0);
            store.sessions().put(later);

            assertThat(store.sessions().get("c")).contains(later);
            List<SessionState> all = new ArrayList<>();
            store.sessions().forEach(all::add);
            assertThat(all).containsExactly(later);
        }

        @Test
        void deleteRemovesOnlyThatClient() {
            for (String id : List.of("a", "ab", "a/b", "b")) {
                store.sessions().put(session(id));
            }
            store.sessions().delete("a");

            assertThat(store.sessions().get("a")).isEmpty();
            assertThat(store.sessions().get("ab")).contains(session("ab"));
            assertThat(store.sessions().get("a/b")).contains(session("a/b"));
            assertThat(store.sessions().get("b")).contains(session("b"));
        }

        @Test
        void deleteOfUnknownClientIsANoOp() {
            store.sessions().put(session("kept"));
            store.sessions().delete("unknown");
            store.sessions().delete("unknown");

            assertThat(store.sessions().get("kept")).contains(session("kept"));
        }

        @Test
        void deleteRemovesTheSessionRecordOnly() {
            store.sessions().put(session("c"));
            store.subscriptions().put("c", subscription("t/#", 1));
            store.messages().enqueue(message("t/1", "m"), targets("c"));
            store.messages().addIncomingQos2("c", 9);

            store.sessions().delete("c");

            assertThat(store.sessions().get("c")).isEmpty();
            assertThat(store.subscriptions().get("c")).containsExactly(subscription("t/#", 1));
            assertThat(payloads(readAll(store, "c"))).containsExactly("m");
            assertThat(store.messages().incomingQos2("c")).containsExactly(9);
        }

        @Test
        void clientIdsAreKeptExactly() {
            List<String> ids = List.of("client", "Client", "client ", " client", "клиент", "客户端", "emoji-\uD83D\uDE00",
                    "a:b", "a.b", "x".repeat(200));
            for (String id : ids) {
                store.sessions().put(new SessionState(id, 5, id.length(), 0, null, 0));
            }

            for (String id : ids) {
                assertThat(store.sessions().get(id)).as(id).contains(new SessionState(id, 5, id.length(), 0, null, 0));
            }
        }

        @Test
        void forEachVisitsEverySessionOnce() {
            Map<String, SessionState> expected = new HashMap<>();
            for (int i = 0; i < 50; i++) {
                SessionState state = session("s-" + i);
                expected.put(state.clientId(), state);
                store.sessions().put(state);
            }
            store.sessions().delete("s-7");
            expected.remove("s-7");

            Map<String, SessionState> visited = new HashMap<>();
            store.sessions().forEach(s -> assertThat(visited.put(s.clientId(), s)).as("visited twice: " + s.clientId()).isNull());
            assertThat(visited).isEqualTo(expected);
        }
    }

    @Nested
    class Subscriptions {
        @Test
        void putThenGetReturnsEveryOptionInFirstAddedOrder() {
            StoredSubscription shared = new StoredSubscription("$share/group/sensors/+/temp", 2, false, true, 1, 268_435_455);
            StoredSubscription all = new StoredSubscription("#", 0, true, false, 2, 0);
            StoredSubscription plain = new StoredSubscription("a/b", 1, false, false, 0, 7);
            store.subscriptions().put("c", shared);
            store.subscriptions().put("c", all);
            store.subscriptions().put("c", plain);

            assertThat(store.subscriptions().get("c")).containsExactly(shared, all, plain);
        }

        @Test
        void getOfUnknownClientIsEmpty() {
            assertThat(store.subscriptions().get("nobody")).isEmpty();
        }

        @Test
        void orderIsTheOrderOfAdditionNotOfFilters() {
            List<StoredSubscription> added = new ArrayList<>();
            Random random = new Random(1);
            for (int i = 0; i < 120; i++) {
                StoredSubscription sub = subscription("f/" + random.nextInt(1_000_000) + "/" + i, i % 3);
                added.add(sub);
                store.subscriptions().put("c", sub);
            }

            assertThat(store.subscriptions().get("c")).containsExactlyElementsOf(added);
        }

        @Test
        void replacingAFilterKeepsItsPosition() {
            store.subscriptions().put("c", subscription("z", 0));
            store.subscriptions().put("c", subscription("a", 0));
            store.subscriptions().put("c", subscription("m", 0));
            StoredSubscription replaced = new StoredSubscription("a", 2, true, true, 2, 11);
            store.subscriptions().put("c", replaced);

            assertThat(store.subscriptions().get("c")).containsExactly(subscription("z", 0), replaced, subscription("m", 0));
        }

        @Test
        void deleteRemovesOneFilterAndReaddingPutsItLast() {
            store.subscriptions().put("c", subscription("a", 0));
            store.subscriptions().put("c", subscription("b", 1));
            store.subscriptions().put("c", subscription("c", 2));

            store.subscriptions().delete("c", "a");
            store.subscriptions().delete("c", "not-subscribed");
            assertThat(store.subscriptions().get("c")).containsExactly(subscription("b", 1), subscription("c", 2));

            store.subscriptions().put("c", subscription("a", 1));
            assertThat(store.subscriptions().get("c"))
                    .containsExactly(subscription("b", 1), subscription("c", 2), subscription("a", 1));
        }

        @Test
        void deleteAllRemovesEveryFilterOfThatClientOnly() {
            store.subscriptions().put("c", subscription("x/#", 1));
            store.subscriptions().put("c", subscription("y/+", 1));
            store.subscriptions().put("c2", subscription("x/#", 2));
            store.subscriptions().put("cc", subscription("z", 0));

            store.subscriptions().deleteAll("c");
            store.subscriptions().deleteAll("unknown");

            assertThat(store.subscriptions().get("c")).isEmpty();
            assertThat(store.subscriptions().get("c2")).containsExactly(subscription("x/#", 2));
            assertThat(store.subscriptions().get("cc")).containsExactly(subscription("z", 0));
        }

        @Test
        void clientsAndFiltersAreKeptApartExactly() {
            // ids and filters that are prefixes of one another catch key-encoding mix-ups
            store.subscriptions().put("a", subscription("t", 0));
            store.subscriptions().put("a", subscription("t/#", 1));
            store.subscriptions().put("ab", subscription("t", 2));
            store.subscriptions().put("a/b", subscription("ünï/+/código", 1));
            store.subscriptions().put("客户端", subscription("$share/g/t", 1));

            assertThat(store.subscriptions().get("a")).containsExactly(subscription("t", 0), subscription("t/#", 1));
            assertThat(store.subscriptions().get("ab")).containsExactly(subscription("t", 2));
            assertThat(store.subscriptions().get("a/b")).containsExactly(subscription("ünï/+/código", 1));
            assertThat(store.subscriptions().get("客户端")).containsExactly(subscription("$share/g/t", 1));

            store.subscriptions().delete("a", "t");
            assertThat(store.subscriptions().get("a")).containsExactly(subscription("t/#", 1));
            assertThat(store.subscriptions().get("ab")).containsExactly(subscription("t", 2));
        }

        @Test
        void forEachVisitsEveryClientAndFilter() {
            Map<String, List<StoredSubscription>> expected = new HashMap<>();
            for (int c = 0; c < 10; c++) {
                for (int f = 0; f < 5; f++) {
                    StoredSubscription sub = subscription("t/" + c + "/" + f, f % 3);
                    store.subscriptions().put("client-" + c, sub);
                    expected.computeIfAbsent("client-" + c, k -> new ArrayList<>()).add(sub);
                }
            }

            Map<String, List<StoredSubscription>> visited = new HashMap<>();
            store.subscriptions().forEach((clientId, sub) -> visited.computeIfAbsent(clientId, k -> new ArrayList<>()).add(sub));
            assertThat(visited.keySet()).isEqualTo(expected.keySet());
            expected.forEach((clientId, subs) -> assertThat(visited.get(clientId)).containsExactlyInAnyOrderElementsOf(subs));
        }
    }

    @Nested
    class Retained {

        @Test
        void putThenGetReturnsEveryField() {
            StoredMessage retained = new StoredMessage("home/kitchen/temp", 2, true, utf8("21.5"), new byte[] {0x03, 0x00, 0x04},
                    Fixtures.CREATED, Fixtures.CREATED + 86_400_000);
            store.retained().put(retained);

            assertThat(store.retained().get("home/kitchen/temp")).contains(retained);
            assertThat(store.retained().count()).isEqualTo(1);
        }

        @Test
        void putReplacesTheEarlierMessageOfTheTopic() {
            store.retained().put(message("t", "old"));
            store.retained().put(message("t", "new"));

            assertThat(store.retained().get("t")).contains(message("t", "new"));
            assertThat(store.retained().count()).isEqualTo(1);
        }

        @Test
        void deleteRemovesTheTopicAndUnknownTopicsAreANoOp() {
            store.retained().put(message("a", "1"));
            store.retained().put(message("b", "2"));

            store.retained().delete("a");
            store.retained().delete("a");
            store.retained().delete("never");

            assertThat(store.retained().get("a")).isEmpty();
            assertThat(store.retained().get("b")).contains(message("b", "2"));
            assertThat(store.retained().count()).isEqualTo(1);
        }

        @Test
        void getOfUnknownTopicIsEmpty() {
            assertThat(store.retained().get("nothing/here")).isEmpty();
            assertThat(store.retained().count()).isZero();
        }

        @Test
        void topicsAreKeptApartExactly() {
            List<String> topics = List.of("a", "a/b", "a/", "/a", "A", "$SYS/broker/uptime", "ünï/código", "客户端/温度");
            for (String topic : topics) {
                store.retained().put(message(topic, "payload of " + topic));
            }
            store.retained().delete("a");

            assertThat(store.retained().get("a")).isEmpty();
            for (String topic : topics.subList(1, topics.size())) {
                assertThat(store.retained().get(topic)).as(topic).contains(message(topic, "payload of " + topic));
            }
            assertThat(store.retained().count()).isEqualTo(topics.size() - 1);
        }

        @Test
        void emptyAndLargePayloadsAreKept() {
            StoredMessage empty = new StoredMessage("empty", 0, true, new byte[0], null, Fixtures.CREATED, 0);
            StoredMessage large = message("large", randomBytes(512 * 1024, 3));
            store.retained().put(empty);
            store.retained().put(large);

            assertThat(store.retained().get("empty").orElseThrow().payload()).isEmpty();
            assertThat(store.retained().get("empty").orElseThrow().properties()).isEmpty();
            assertThat(store.retained().get("large")).contains(large);
        }

        @Test
        void forEachVisitsEveryRetainedMessageOnce() {
            Map<String, StoredMessage> expected = new HashMap<>();
            for (int i = 0; i < 60; i++) {
                StoredMessage m = message("r/" + i, "v" + i);
                expected.put(m.topic(), m);
                store.retained().put(m);
            }
            store.retained().put(message("r/3", "v3 again"));
            expected.put("r/3", message("r/3", "v3 again"));
            store.retained().delete("r/4");
            expected.remove("r/4");

            Map<String, StoredMessage> visited = new HashMap<>();
            store.retained().forEach(m -> assertThat(visited.put(m.topic(), m)).as("visited twice: " + m.topic()).isNull());
            assertThat(visited).isEqualTo(expected);
            assertThat(store.retained().count()).isEqualTo(expected.size());
        }
    }

    @Nested
    class Messages {

        @Test
        void enqueuedEntryCarriesTheTargetsOptions() {
            StoredMessage m = new StoredMessage("t/1", 2, true, utf8("hello"), new byte[] {0x08, 0x00, 0x01, 'r'},
                    Fixtures.CREATED, Fixtures.CREATED + 5000);
            store.messages().enqueue(m, List.of(new QueueTarget("c", 1, true, List.of(3, 70_000))));

            List<QueuedMessage> entries = store.messages().read("c", 0, 10);
            assertThat(entries).hasSize(1);
            QueuedMessage entry = entries.get(0);
            assertThat(entry.seq()).as("sequence numbers are positive so afterSeq 0 reads from the start").isPositive();
            assertThat(entry.message()).isEqualTo(m);
            assertThat(entry.qos()).isEqualTo(1);
            assertThat(entry.retain()).isTrue();
            assertThat(entry.subscriptionIds()).containsExactly(3, 70_000);
            assertThat(entry.packetId()).isZero();
            assertThat(entry.state()).isEqualTo(InflightState.QUEUED);
        }

        @Test
        void eachTargetGetsItsOwnOptionsForTheSameMessage() {
            StoredMessage m = message("t", "shared");
            store.messages().enqueue(m, List.of(
                    new QueueTarget("q0", 0, false, List.of()),
                    new QueueTarget("q1", 1, true, List.of(1)),
                    new QueueTarget("q2", 2, false, List.of(2, 5))));

            QueuedMessage q0 = store.messages().read("q0", 0, 10).get(0);
            QueuedMessage q1 = store.messages().read("q1", 0, 10).get(0);
            QueuedMessage q2 = store.messages().read("q2", 0, 10).get(0);
            assertThat(List.of(q0.message(), q1.message(), q2.message())).containsOnly(m);
            assertThat(List.of(q0.qos(), q1.qos(), q2.qos())).containsExactly(0, 1, 2);
            assertThat(List.of(q0.retain(), q1.retain(), q2.retain())).containsExactly(false, true, false);
            assertThat(q0.subscriptionIds()).isEmpty();
            assertThat(q1.subscriptionIds()).containsExactly(1);
            assertThat(q2.subscriptionIds()).containsExactly(2, 5);
        }

        @Test
        void seqIsStrictlyIncreasingInEnqueueOrder() {
            for (int i = 0; i < 30; i++) {
                store.messages().enqueue(message("t", "m" + i), targets("c"));
            }

            List<QueuedMessage> entries = readAll(store, "c");
            assertThat(payloads(entries)).containsExactlyElementsOf(IntStream.range(0, 30).mapToObj(i -> "m" + i).toList());
            assertThat(seqs(entries)).isSorted().doesNotHaveDuplicates();
        }

        @Test
        void sameContentEnqueuedTwiceIsTwoEntries() {
            store.messages().enqueue(message("t", "same"), targets("c"));
            store.messages().enqueue(message("t", "same"), targets("c"));

            List<QueuedMessage> entries = readAll(store, "c");
            assertThat(payloads(entries)).containsExactly("same", "same");
            store.messages().remove("c", entries.get(0).seq());
            assertThat(payloads(readAll(store, "c"))).containsExactly("same");
        }

        @Test
        void readHonoursAfterSeqAndMax() {
            for (int i = 0; i < 10; i++) {
                store.messages().enqueue(message("t", "m" + i), targets("c"));
            }
            List<Long> seqs = seqs(store.messages().read("c", 0, 100));
            assertThat(seqs).hasSize(10);

            assertThat(payloads(store.messages().read("c", seqs.get(3), 4))).containsExactly("m4", "m5", "m6", "m7");
            store.messages().remove("c", seqs.get(4));
            assertThat(payloads(store.messages().read("c", seqs.get(4), 2))).as("after a seq that is gone").containsExactly("m5", "m6");
            assertThat(payloads(store.messages().read("c", seqs.get(7), 100))).containsExactly("m8", "m9");
            assertThat(store.messages().read("c", seqs.get(9), 100)).isEmpty();
            assertThat(store.messages().read("c", 0, 0)).isEmpty();
        }

        @Test
        void longQueueReadsBackInPagesInOrder() {
            for (int i = 0; i < 600; i++) {
                store.messages().enqueue(message("t", "m" + i), targets("long"));
            }

            List<QueuedMessage> entries = readAll(store, "long");
            assertThat(payloads(entries)).containsExactlyElementsOf(IntStream.range(0, 600).mapToObj(i -> "m" + i).toList());
            assertThat(seqs(entries)).isSorted().doesNotHaveDuplicates();
            assertThat(store.messages().stats("long").messages()).isEqualTo(600);
        }

        @Test
        void unknownClientHasAnEmptyQueue() {
            assertThat(store.messages().read("nobody", 0, 10)).isEmpty();
            assertThat(store.messages().stats("nobody")).isEqualTo(QueueStats.EMPTY);
            assertThat(store.messages().incomingQos2("nobody")).isEmpty();
        }

        @Test
        void queuesOfSimilarClientIdsAreKeptApart() {
            store.messages().enqueue(message("t", "to a"), targets("a"));
            store.messages().enqueue(message("t", "to ab"), targets("ab"));
            store.messages().enqueue(message("t", "to a/b"), targets("a/b"));
            store.messages().enqueue(message("t", "to 客户端"), targets("客户端"));

            assertThat(payloads(readAll(store, "a"))).containsExactly("to a");
            assertThat(payloads(readAll(store, "ab"))).containsExactly("to ab");
            assertThat(payloads(readAll(store, "a/b"))).containsExactly("to a/b");
            assertThat(payloads(readAll(store, "客户端"))).containsExactly("to 客户端");

            store.messages().clear("a");
            assertThat(readAll(store, "a")).isEmpty();
            assertThat(payloads(readAll(store, "ab"))).containsExactly("to ab");
        }

        @Test
        void updateInflightRecordsStateAndPacketId() {
            for (int i = 0; i < 3; i++) {
                store.messages().enqueue(message("t", "m" + i), targets("c"));
            }
            List<Long> seqs = seqs(readAll(store, "c"));

            store.messages().updateInflight("c", seqs.get(1), 17, InflightState.SENT);
            QueuedMessage sent = readAll(store, "c").get(1);
            assertThat(sent.state()).isEqualTo(InflightState.SENT);
            assertThat(sent.packetId()).isEqualTo(17);
            assertThat(sent.seq()).isEqualTo(seqs.get(1));
            assertThat(text(sent.message().payload())).isEqualTo("m1");

            store.messages().updateInflight("c", seqs.get(1), 17, InflightState.RELEASED);
            store.messages().updateInflight("c", seqs.get(2), 65_535, InflightState.SENT);

            List<QueuedMessage> entries = readAll(store, "c");
            assertThat(entries).extracting(QueuedMessage::state)
                    .containsExactly(InflightState.QUEUED, InflightState.RELEASED, InflightState.SENT);
            assertThat(entries).extracting(QueuedMessage::packetId).containsExactly(0, 17, 65_535);
            assertThat(payloads(entries)).containsExactly("m0", "m1", "m2");
        }

        @Test
        void updateInflightOfAbsentEntryIsANoOp() {
            store.messages().enqueue(message("t", "m"), targets("c"));
            long seq = readAll(store, "c").get(0).seq();

            store.messages().updateInflight("c", seq + 1000, 5, InflightState.SENT);
            store.messages().updateInflight("ghost", seq, 5, InflightState.SENT);

            assertThat(readAll(store, "c")).singleElement()
                    .satisfies(e -> assertThat(e.state()).isEqualTo(InflightState.QUEUED));
            assertThat(readAll(store, "ghost")).isEmpty();
            assertThat(store.messages().stats("ghost")).isEqualTo(QueueStats.EMPTY);
        }

        @Test
        void removeDeletesOnlyThatEntryAndAbsentOnesAreANoOp() {
            for (int i = 0; i < 4; i++) {
                store.messages().enqueue(message("t", "m" + i), targets("c"));
            }
            List<Long> seqs = seqs(readAll(store, "c"));

            store.messages().remove("c", seqs.get(1));
            store.messages().remove("c", seqs.get(1));
            store.messages().remove("c", seqs.get(3) + 1000);
            store.messages().remove("ghost", seqs.get(0));

            assertThat(payloads(readAll(store, "c"))).containsExactly("m0", "m2", "m3");
            assertThat(seqs(readAll(store, "c"))).containsExactly(seqs.get(0), seqs.get(2), seqs.get(3));
        }

        @Test
        void removeAllDeletesTheFirstCountEntriesAndSkipsAbsentAndRepeatedOnes() {
            for (int i = 0; i < 5; i++) {
                store.messages().enqueue(message("t", "m" + i), targets("c", "d"));
            }
            List<Long> seqs = seqs(readAll(store, "c"));
            long[] acked = {seqs.get(0), seqs.get(2), seqs.get(2), seqs.get(4) + 1000, seqs.get(3), seqs.get(1)};

            store.messages().removeAll("c", acked, 5); // the last one is beyond count
            store.messages().removeAll("ghost", acked, 2);

            assertThat(payloads(readAll(store, "c"))).containsExactly("m1", "m4");
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(2, 4));
            // the bodies are shared with d: its queue keeps every one
            assertThat(payloads(readAll(store, "d"))).containsExactly("m0", "m1", "m2", "m3", "m4");
            store.messages().removeAll("d", seqs(readAll(store, "d")).stream().mapToLong(Long::longValue).toArray(), 5);
            assertThat(readAll(store, "d")).isEmpty();
            assertThat(store.messages().stats("d")).isEqualTo(QueueStats.EMPTY);
            assertThat(payloads(readAll(store, "c"))).containsExactly("m1", "m4");
        }

        @Test
        void statsCountEntriesAndTheirPayloadBytes() {
            store.messages().enqueue(message("t", randomBytes(10, 1)), targets("c", "d"));
            store.messages().enqueue(message("t", randomBytes(20, 2)), targets("c"));
            store.messages().enqueue(message("t", new byte[0]), targets("c"));

            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(3, 30));
            assertThat(store.messages().stats("d")).isEqualTo(new QueueStats(1, 10));

            store.messages().remove("c", readAll(store, "c").get(1).seq());
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(2, 10));
            store.messages().updateInflight("c", readAll(store, "c").get(0).seq(), 1, InflightState.SENT);
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(2, 10));

            store.messages().clear("c");
            assertThat(store.messages().stats("c")).isEqualTo(QueueStats.EMPTY);
            assertThat(store.messages().stats("d")).isEqualTo(new QueueStats(1, 10));
        }

        @Test
        void enqueueAllAppendsEachInOrderWithItsStatsAndSharedBodies() {
            store.messages().enqueue(message("t", "before"), targets("c"));
            store.messages().enqueueAll(List.of(
                    new QueueAppend(message("t", randomBytes(10, 1)), targets("c", "d")),
                    new QueueAppend(message("t", "none"), List.of()),
                    new QueueAppend(message("t", randomBytes(20, 2)), targets("c")),
                    new QueueAppend(message("u", "third"), List.of(new QueueTarget("d", 2, true, List.of(7))))));
            store.messages().enqueue(message("t", "after"), targets("c"));

            List<QueuedMessage> c = readAll(store, "c");
            assertThat(c).hasSize(4);
            assertThat(payloads(List.of(c.get(0), c.get(3)))).containsExactly("before", "after");
            assertThat(List.of(c.get(1).message().payload().length, c.get(2).message().payload().length))
                    .containsExactly(10, 20);
            assertThat(seqs(c)).isSorted().doesNotHaveDuplicates();
            List<QueuedMessage> d = readAll(store, "d");
            assertThat(d).hasSize(2);
            assertThat(d.get(1).qos()).isEqualTo(2);
            assertThat(d.get(1).retain()).isTrue();
            assertThat(d.get(1).subscriptionIds()).containsExactly(7);
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(4, 6 + 10 + 20 + 5));
            assertThat(store.messages().stats("d")).isEqualTo(new QueueStats(2, 10 + 5));

            // the body shared by c and d outlives the removal from one of them
            store.messages().remove("c", c.get(1).seq());
            assertThat(readAll(store, "d").get(0).message().payload()).isEqualTo(randomBytes(10, 1));
            store.messages().enqueueAll(List.of());
            assertThat(readAll(store, "c")).hasSize(3);
        }

        @Test
        void messageSharedByThreeQueuesOutlivesRemovalFromTwo() {
            StoredMessage big = message("fan/out", randomBytes(64 * 1024, 42));
            store.messages().enqueue(big, targets("one", "two", "three"));

            store.messages().remove("one", readAll(store, "one").get(0).seq());
            store.messages().remove("two", readAll(store, "two").get(0).seq());

            assertThat(readAll(store, "one")).isEmpty();
            assertThat(readAll(store, "two")).isEmpty();
            assertThat(readAll(store, "three")).singleElement().satisfies(e -> {
                assertThat(e.message()).isEqualTo(big);
                assertThat(e.message().payload()).isEqualTo(big.payload());
            });
            assertThat(store.messages().stats("three")).isEqualTo(new QueueStats(1, 64 * 1024));
        }

        @Test
        void clearOfOneClientLeavesSharedMessagesOfOthers() {
            StoredMessage first = message("t", "first");
            StoredMessage second = message("t", randomBytes(3000, 7));
            store.messages().enqueue(first, targets("a", "b", "c"));
            store.messages().enqueue(second, targets("a", "c"));
            store.messages().addIncomingQos2("a", 1);
            store.messages().addIncomingQos2("b", 1);

            store.messages().clear("a");

            assertThat(readAll(store, "a")).isEmpty();
            assertThat(store.messages().incomingQos2("a")).isEmpty();
            assertThat(store.messages().incomingQos2("b")).containsExactly(1);
            assertThat(readAll(store, "b")).extracting(QueuedMessage::message).containsExactly(first);
            assertThat(readAll(store, "c")).extracting(QueuedMessage::message).containsExactly(first, second);

            store.messages().clear("b");
            assertThat(readAll(store, "c")).extracting(QueuedMessage::message).containsExactly(first, second);
        }

        @Test
        void sharedMessagesSurviveRemovalInAnyOrder() {
            // A goes to x,y; B to y,z; C to x,z: every body is referenced from two queues
            store.messages().enqueue(message("t", "A"), targets("x", "y"));
            store.messages().enqueue(message("t", "B"), targets("y", "z"));
            store.messages().enqueue(message("t", "C"), targets("x", "z"));

            store.messages().remove("y", readAll(store, "y").get(0).seq());
            store.messages().clear("x");
            assertThat(payloads(readAll(store, "y"))).containsExactly("B");
            assertThat(payloads(readAll(store, "z"))).containsExactly("B", "C");

            store.messages().remove("z", readAll(store, "z").get(0).seq());
            assertThat(payloads(readAll(store, "y"))).containsExactly("B");
            assertThat(payloads(readAll(store, "z"))).containsExactly("C");
        }

        @Test
        void seqIsNeverReusedAfterRemoveOrClear() {
            // a late remove(seq) of an old entry must never hit a newer one that got the same seq
            for (int i = 0; i < 3; i++) {
                store.messages().enqueue(message("t", "m" + i), targets("c"));
            }
            List<Long> first = seqs(readAll(store, "c"));
            store.messages().remove("c", first.get(2));
            store.messages().enqueue(message("t", "after remove"), targets("c"));
            long afterRemove = readAll(store, "c").get(2).seq();
            assertThat(afterRemove).isGreaterThan(first.get(2));

            store.messages().clear("c");
            store.messages().enqueue(message("t", "after clear"), targets("c"));
            assertThat(readAll(store, "c")).singleElement()
                    .satisfies(e -> assertThat(e.seq()).isGreaterThan(afterRemove));
        }

        @Test
        void enqueueToNoTargetsChangesNothing() {
            store.messages().enqueue(message("t", "nobody"), List.of());
            store.messages().enqueue(message("t", "somebody"), targets("c"));

            assertThat(payloads(readAll(store, "c"))).containsExactly("somebody");
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(1, 8));
        }

        @Test
        void incomingQos2IdsAreASetPerClient() {
            store.messages().addIncomingQos2("c", 1);
            store.messages().addIncomingQos2("c", 65_535);
            store.messages().addIncomingQos2("c", 7);
            store.messages().addIncomingQos2("c", 7);
            store.messages().addIncomingQos2("cc", 2);

            assertThat(store.messages().incomingQos2("c")).containsExactlyInAnyOrder(1, 7, 65_535);

            store.messages().removeIncomingQos2("c", 7);
            store.messages().removeIncomingQos2("c", 8);
            store.messages().removeIncomingQos2("ghost", 1);
            assertThat(store.messages().incomingQos2("c")).containsExactlyInAnyOrder(1, 65_535);
            assertThat(store.messages().incomingQos2("cc")).containsExactly(2);
        }

        @Test
        void incomingQos2IdsAreIndependentOfTheQueue() {
            store.messages().addIncomingQos2("c", 3);
            store.messages().enqueue(message("t", "m"), targets("c"));
            store.messages().remove("c", readAll(store, "c").get(0).seq());

            assertThat(store.messages().incomingQos2("c")).containsExactly(3);
            assertThat(store.messages().stats("c")).isEqualTo(QueueStats.EMPTY);
        }
    }

    @Nested
    class Reopen {

        @Test
        void changesAreReadableBeforeTheSyncThatMakesThemDurable() {
            store.messages().enqueue(message("t", "before sync"), targets("c"));
            assertThat(payloads(readAll(store, "c"))).containsExactly("before sync");
            store.sync();
            store.sync(); // nothing new since the last one
            assertThat(payloads(readAll(store, "c"))).containsExactly("before sync");
            if (!provider().durable()) {
                assertThat(store.durability()).isEqualTo(Store.Durability.ON_RETURN);
            }
        }

        @Test
        void durableFlagMatchesWhatSurvivesAReopen() {
            store.sessions().put(session("survivor?"));
            store.retained().put(message("r", "survivor?"));
            reopen();

            if (provider().durable()) {
                assertThat(store.sessions().get("survivor?")).contains(session("survivor?"));
                assertThat(store.retained().get("r")).contains(message("r", "survivor?"));
            } else {
                assertThat(store.sessions().get("survivor?")).as("durable() is false, yet the session survived").isEmpty();
                assertThat(store.retained().count()).as("durable() is false, yet retained messages survived").isZero();
            }
        }
    }

    @Nested
    class Concurrency {
        private static final Duration LIMIT = Duration.ofSeconds(90);

        /** Up to the store's concurrency and beyond, but bounded for small CI machines. */
        private int threads() {
            assertThat(store.maxConcurrency()).isPositive();
            return Math.min(Math.max(store.maxConcurrency() + 2, 4), 24);
        }

        @Test
        void manyClientsAtOnceKeepTheirOwnState() throws Exception {
            int threads = threads();
            int clientsPerThread = 4;
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                tasks.add(() -> {
                    for (int c = 0; c < clientsPerThread; c++) {
                        String id = "many-" + thread + "-" + c;
                        store.sessions().put(session(id));
                        store.subscriptions().put(id, subscription(id + "/b", 1));
                        store.subscriptions().put(id, subscription(id + "/a", 2));
                        for (int i = 0; i < 10; i++) {
                            store.messages().enqueue(message(id, id + ":" + i), targets(id));
                        }
                        store.messages().addIncomingQos2(id, thread + 1);
                        List<QueuedMessage> queue = store.messages().read(id, 0, 100);
                        store.messages().updateInflight(id, queue.get(0).seq(), c + 1, InflightState.SENT);
                        store.messages().remove(id, queue.get(1).seq());
                        store.retained().put(message(id, "retained " + id));
                    }
                    return null;
                });
            }
            runConcurrently(tasks);

            for (int t = 0; t < threads; t++) {
                for (int c = 0; c < clientsPerThread; c++) {
                    String id = "many-" + t + "-" + c;
                    assertThat(store.sessions().get(id)).contains(session(id));
                    assertThat(store.subscriptions().get(id)).containsExactly(subscription(id + "/b", 1), subscription(id + "/a", 2));
                    List<QueuedMessage> queue = readAll(store, id);
                    List<String> expected = new ArrayList<>(IntStream.range(0, 10).mapToObj(i -> id + ":" + i).toList());
                    expected.remove(1);
                    assertThat(payloads(queue)).containsExactlyElementsOf(expected);
                    assertThat(queue.get(0).state()).isEqualTo(InflightState.SENT);
                    assertThat(queue.get(0).packetId()).isEqualTo(c + 1);
                    assertThat(store.messages().incomingQos2(id)).containsExactly(t + 1);
                    assertThat(store.retained().get(id)).contains(message(id, "retained " + id));
                }
            }
            assertThat(store.retained().count()).isEqualTo((long) threads * clientsPerThread);
            List<SessionState> sessions = new ArrayList<>();
            store.sessions().forEach(sessions::add);
            assertThat(sessions).hasSize(threads * clientsPerThread);
        }

        @Test
        void fanOutWhileConsumersReadAndRemoveLosesAndDuplicatesNothing() throws Exception {
            int producers = 3;
            int perProducer = 150;
            int consumers = Math.min(threads(), 8);
            List<String> clients = IntStream.range(0, consumers).mapToObj(i -> "fan-" + i).toList();
            AtomicBoolean failed = new AtomicBoolean();
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int producer = p;
                tasks.add(() -> {
                    Random random = new Random(producer);
                    for (int i = 0; i < perProducer && !failed.get(); i++) {
                        List<String> order = new ArrayList<>(clients);
                        Collections.shuffle(order, random);
                        store.messages().enqueue(message("fan/" + producer, producer + ":" + i), targets(order.toArray(String[]::new)));
                    }
                    return null;
                });
            }
            for (String client : clients) {
                tasks.add(() -> {
                    consumeAll(client, producers, perProducer, failed);
                    return null;
                });
            }
            runConcurrently(tasks, failed);

            for (String client : clients) {
                assertThat(store.messages().read(client, 0, 10)).as(client).isEmpty();
                assertThat(store.messages().stats(client)).as(client).isEqualTo(QueueStats.EMPTY);
            }
        }

        /** Reads the way the broker does (after the last seq seen) and acks everything it reads. */
        private void consumeAll(String client, int producers, int perProducer, AtomicBoolean failed) {
            int[] next = new int[producers];
            int received = 0;
            long after = 0;
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (received < producers * perProducer) {
                if (failed.get()) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    fail(client + " received " + received + " of " + producers * perProducer + " within " + LIMIT);
                }
                List<QueuedMessage> page = store.messages().read(client, after, 32);
                if (page.isEmpty()) {
                    LockSupport.parkNanos(200_000);
                    continue;
                }
                for (QueuedMessage entry : page) {
                    assertThat(entry.seq()).as(client + " seq order").isGreaterThan(after);
                    after = entry.seq();
                    String[] parts = text(entry.message().payload()).split(":");
                    int producer = Integer.parseInt(parts[0]);
                    // per producer, messages arrive in enqueue order: a gap is a loss, a repeat a duplicate
                    assertThat(Integer.parseInt(parts[1])).as(client + " from producer " + producer).isEqualTo(next[producer]);
                    next[producer]++;
                    received++;
                    if (received % 3 == 0) {
                        store.messages().updateInflight(client, entry.seq(), received % 65_535 + 1, InflightState.SENT);
                    }
                    store.messages().remove(client, entry.seq());
                }
            }
        }

        @Test
        void statsAgreeWithQueuesAfterConcurrentChurn() throws Exception {
            int threads = threads();
            List<String> clients = IntStream.range(0, threads).mapToObj(i -> "churn-" + i).toList();
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                String own = clients.get(t);
                tasks.add(() -> {
                    Random random = new Random(100 + thread);
                    for (int i = 0; i < 100; i++) {
                        int op = random.nextInt(10);
                        if (op < 6) {
                            List<String> to = new ArrayList<>(clients);
                            Collections.shuffle(to, random);
                            to = to.subList(0, 1 + random.nextInt(Math.min(4, to.size())));
                            store.messages().enqueue(churnMessage(thread, i), targets(to.toArray(String[]::new)));
                        } else if (op < 9) {
                            List<QueuedMessage> page = store.messages().read(own, 0, 5);
                            if (!page.isEmpty()) {
                                store.messages().updateInflight(own, page.get(page.size() - 1).seq(), 1 + i, InflightState.SENT);
                                store.messages().remove(own, page.get(0).seq());
                            }
                        } else {
                            store.messages().clear(own);
                        }
                    }
                    return null;
                });
            }
            runConcurrently(tasks);

            for (String client : clients) {
                List<QueuedMessage> queue = readAll(store, client);
                assertThat(seqs(queue)).as(client).isSorted().doesNotHaveDuplicates();
                long bytes = 0;
                for (QueuedMessage entry : queue) {
                    String[] parts = entry.message().topic().split("/");
                    assertThat(entry.message()).isEqualTo(churnMessage(Integer.parseInt(parts[1]), Integer.parseInt(parts[2])));
                    bytes += entry.message().payload().length;
                }
                assertThat(store.messages().stats(client)).as(client).isEqualTo(new QueueStats(queue.size(), bytes));
            }
        }

        private StoredMessage churnMessage(int thread, int i) {
            return message("churn/" + thread + "/" + i, randomBytes(1 + (thread * 31 + i * 17) % 700, thread * 1000L + i));
        }

        @Test
        void retainedAndSubscriptionsChangeConcurrently() throws Exception {
            int threads = threads();
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                tasks.add(() -> {
                    for (int i = 0; i < 40; i++) {
                        store.retained().put(message("ret/" + thread + "/" + i, "v" + i));
                        assertThat(store.retained().count()).as("count after a put").isPositive();
                        store.subscriptions().put("sub-" + thread, subscription("f/" + i, i % 3));
                        if (i % 4 == 0) {
                            store.retained().delete("ret/" + thread + "/" + i);
                            store.subscriptions().delete("sub-" + thread, "f/" + i);
                        }
                    }
                    return null;
                });
            }
            runConcurrently(tasks);

            assertThat(store.retained().count()).isEqualTo(threads * 30L);
            Set<String> topics = ConcurrentHashMap.newKeySet();
            store.retained().forEach(m -> topics.add(m.topic()));
            assertThat(topics).hasSize(threads * 30);
            for (int t = 0; t < threads; t++) {
                List<String> expected = IntStream.range(0, 40).filter(i -> i % 4 != 0).mapToObj(i -> "f/" + i).toList();
                assertThat(store.subscriptions().get("sub-" + t)).extracting(StoredSubscription::filter).containsExactlyElementsOf(expected);
            }
        }

        private void runConcurrently(List<Callable<Void>> tasks) throws Exception {
            runConcurrently(tasks, new AtomicBoolean());
        }

        /**
         * Starts every task at once on its own thread and rethrows the first failure. Threads are
         * never interrupted: an interrupt inside a store call could break a file-backed store.
         */
        private void runConcurrently(List<Callable<Void>> tasks, AtomicBoolean failed) throws Exception {
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            Thread[] threads = new Thread[tasks.size()];
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < threads.length; i++) {
                Callable<Void> task = tasks.get(i);
                threads[i] = new Thread(() -> {
                    try {
                        go.await();
                        task.call();
                    } catch (Throwable t) {
                        failures.add(t);
                        failed.set(true);
                    }
                }, "contract-" + i);
                threads[i].start();
            }
            go.countDown();
            long deadline = System.nanoTime() + LIMIT.toNanos() + Duration.ofSeconds(10).toNanos();
            for (Thread thread : threads) {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (thread.isAlive()) {
                    failed.set(true);
                    fail(thread.getName() + " still running after " + LIMIT + "; failures so far: " + failures);
                }
            }
            if (!failures.isEmpty()) {
                Throwable first = failures.get(0);
                failures.subList(1, failures.size()).forEach(first::addSuppressed);
                if (first instanceof Exception e) {
                    throw e;
                }
                if (first instanceof Error e) {
                    throw e;
                }
                throw new AssertionError(first);
            }
        }
    }

    @Nested
    class Discovery {

        @Test
        void serviceLoaderFindsTheProviderByName() {
            ClassLoader loader = provider().getClass().getClassLoader();
            String name = provider().name();

            Map<String, Provider> available = Providers.available(loader);
            assertThat(available).containsKey(name);
            assertThat(available.get(name)).isExactlyInstanceOf(provider().getClass());
            assertThat(Providers.select(name, loader)).isExactlyInstanceOf(provider().getClass());
        }

        @Test
        void nameWorksAsAPropertyPrefixAndMatchesTheConfig() {
            // the name is the middle of volantmq.persistence.<name>.<key>, so it cannot hold dots
            assertThat(provider().name()).matches("[a-z][a-z0-9-]*");
            assertThat(config(tempDir).providerName()).isEqualTo(provider().name());
        }
    }

    @Nested
    class ConfigAndErrors {

        @Test
        void secondOpenOfAnOpenStoreNeverHarmsIt() {
            store.sessions().put(session("first"));
            store.messages().enqueue(message("t", "kept"), targets("c"));

            Optional<Store> second = Optional.empty();
            try {
                second = Optional.of(provider().open(config(tempDir)));
            } catch (PersistenceException expected) {
                // refusing is fine (a locked file); moving the store aside or wiping it is not
            } finally {
                second.ifPresent(Store::close);
            }

            assertThat(store.sessions().get("first")).contains(session("first"));
            store.messages().enqueue(message("t", "still writable"), targets("c"));
            assertThat(payloads(readAll(store, "c"))).containsExactly("kept", "still writable");
            if (provider().durable()) {
                reopen();
                assertThat(store.sessions().get("first")).contains(session("first"));
                assertThat(payloads(readAll(store, "c"))).containsExactly("kept", "still writable");
            }
        }

        @Test
        void storeReportsAPositiveConcurrency() {
            assertThat(store.maxConcurrency()).isPositive();
        }
    }

    /**
     * The keys a backend declares ({@link Provider#settingKeys()}) are the ones it reads, and any other
     * is refused. A plugin may declare none (the broker's loader then hands every key through), but a
     * backend run by this suite must declare them.
     */
    @Nested
    class SettingKeys {

        @Test
        void everyKeyOfTheTestConfigurationIsDeclared() {
            Set<String> keys = provider().settingKeys();
            assertThat(keys).as("the keys " + provider().name() + " declares").isNotNull();

            assertThat(keys).containsAll(config(tempDir).values().keySet());
        }

        @Test
        void undeclaredKeyIsRefusedNamingIt() {
            ProviderConfig base = config(tempDir.resolve("other"));
            Map<String, String> values = new HashMap<>(base.values());
            values.put("noSuchSetting", "1");

            assertThatThrownBy(() -> provider().open(new ProviderConfig(base.providerName(), values)).close())
                    .isInstanceOf(PersistenceException.class)
                    .hasMessageContaining(base.propertyName("noSuchSetting"));
        }
    }
}
