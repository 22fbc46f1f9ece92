package io.volantmq.persistence.buffered;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static io.volantmq.persistence.contract.Fixtures.message;
import static io.volantmq.persistence.contract.Fixtures.payloads;
import static io.volantmq.persistence.contract.Fixtures.readAll;
import static io.volantmq.persistence.contract.Fixtures.seqs;
import static io.volantmq.persistence.contract.Fixtures.session;
import static io.volantmq.persistence.contract.Fixtures.subscription;
import static io.volantmq.persistence.contract.Fixtures.targets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** What buffered mode adds to the contract: acknowledging at once, write-behind in order, coalescing, failures. */
class BufferedStoreTest {
    /** Never writes on its own within a test: only flush, a full batch or close write. */
    private static final BufferedStore.Options NEVER = BufferedStore.Options.DEFAULTS.withSyncIntervalMillis(3_600_000);

    private final BufferedTestBackend backend = new BufferedTestBackend();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(BufferedStore.class);
    private BufferedStore store;

    @BeforeEach
    void captureLog() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void closeStore() {
        backend.failWrites(false);
        backend.open();
        if (store != null) {
            store.close();
        }
        logger.detachAppender(logged);
    }

    private BufferedStore open(BufferedStore.Options options) {
        store = new BufferedStore(backend, "test", options);
        return store;
    }

    private void flush() {
        assertThat(store.flush(10_000)).as("flushed within 10 s").isTrue();
    }

    @Test
    void everyChangeReturnsAtOnceAndReadsSeeItBeforeItIsWritten() {
        open(NEVER);
        store.sessions().put(session("c"));
        store.subscriptions().put("c", subscription("a/#", 1));
        store.retained().put(message("r", "retained"));
        store.messages().enqueue(message("t", "m0"), targets("c", "d"));
        store.messages().enqueue(message("t", "m1"), targets("c"));
        store.messages().updateInflight("c", readAll(store, "c").get(0).seq(), 7, InflightState.SENT);
        store.messages().addIncomingQos2("c", 3);

        assertThat(backend.writes()).as("nothing written yet").isEmpty();
        assertThat(store.backlog().pendingOps()).isEqualTo(7);
        assertThat(store.sessions().get("c")).contains(session("c"));
        List<SessionState> sessions = new ArrayList<>();
        store.sessions().forEach(sessions::add);
        assertThat(sessions).containsExactly(session("c"));
        assertThat(store.subscriptions().get("c")).containsExactly(subscription("a/#", 1));
        assertThat(store.retained().get("r")).contains(message("r", "retained"));
        assertThat(store.retained().count()).isEqualTo(1);
        List<QueuedMessage> queue = readAll(store, "c");
        assertThat(payloads(queue)).containsExactly("m0", "m1");
        assertThat(queue.get(0).state()).isEqualTo(InflightState.SENT);
        assertThat(queue.get(0).packetId()).isEqualTo(7);
        assertThat(payloads(readAll(store, "d"))).containsExactly("m0");
        assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(2, 4));
        assertThat(store.messages().incomingQos2("c")).containsExactly(3);

        store.close();
        store = null;
        assertThat(backend.writeNames()).containsExactly("sessions.put", "subscriptions.put", "retained.put", "messages.enqueue",
                "messages.enqueue", "messages.updateInflight", "messages.addIncomingQos2");
        assertThat(backend.isClosed()).isTrue();
        List<QueuedMessage> written = readAll(backend.direct(), "c");
        assertThat(payloads(written)).containsExactly("m0", "m1");
        assertThat(written.get(0).state()).isEqualTo(InflightState.SENT);
        assertThat(backend.direct().messages().incomingQos2("c")).containsExactly(3);
    }

    @Test
    void changesReachTheBackendWithinTheIntervalInTheOrderTheyWereMade() {
        open(BufferedStore.Options.DEFAULTS.withSyncIntervalMillis(50));
        store.retained().put(message("r/1", "one"));
        store.sessions().put(session("s"));
        store.messages().enqueue(message("t", "m"), targets("s"));
        store.subscriptions().put("s", subscription("t", 1));
        store.messages().addIncomingQos2("s", 1);
        store.retained().delete("r/0");
        store.sessions().delete("old");
        store.subscriptions().deleteAll("old");
        store.messages().clear("old");

        await(() -> store.backlog().pendingOps() == 0, "the interval writes everything");
        assertThat(backend.writeNames()).containsExactly("retained.put", "sessions.put", "messages.enqueue", "subscriptions.put",
                "messages.addIncomingQos2", "retained.delete", "sessions.delete", "subscriptions.deleteAll", "messages.clear");
        assertThat(store.backlog().writtenOps()).isEqualTo(9);
    }

    @Test
    void messageEnqueuedAndRemovedBeforeTheFlushNeverReachesTheBackend() {
        open(NEVER);
        store.messages().enqueue(message("t", "acked at once"), targets("c"));
        long seq = readAll(store, "c").get(0).seq();
        store.messages().updateInflight("c", seq, 1, InflightState.SENT);
        store.messages().remove("c", seq);
        store.messages().enqueue(message("t", "fan-out"), targets("a", "b", "c"));
        store.messages().remove("a", readAll(store, "a").get(0).seq());
        store.messages().remove("b", readAll(store, "b").get(0).seq());

        flush();
        assertThat(backend.writeNames()).containsExactly("messages.enqueue");
        assertThat(clientsOf(backend.writes().get(0))).as("only the queue that still holds it").containsExactly("c");
        assertThat(payloads(readAll(backend.direct(), "c"))).containsExactly("fan-out");
        assertThat(readAll(backend.direct(), "a")).isEmpty();
        assertThat(store.backlog().coalescedOps()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void repeatedInflightUpdatesWriteOnlyTheLast() {
        open(NEVER);
        store.messages().enqueue(message("t", "waiting"), targets("c"));
        long waiting = readAll(store, "c").get(0).seq();
        store.messages().updateInflight("c", waiting, 1, InflightState.SENT);
        store.messages().updateInflight("c", waiting, 1, InflightState.RELEASED);
        flush();
        assertThat(backend.writeNames()).containsExactly("messages.enqueue", "messages.updateInflight");
        assertThat(backend.writes().get(1).args()).containsSubsequence(1, InflightState.RELEASED);

        backend.clearJournal();
        store.messages().updateInflight("c", waiting, 2, InflightState.SENT);
        store.messages().updateInflight("c", waiting, 3, InflightState.SENT);
        store.messages().updateInflight("c", waiting, 3, InflightState.RELEASED);
        flush();
        assertThat(backend.writeNames()).containsExactly("messages.updateInflight");
        assertThat(backend.writes().get(0).args()).containsSubsequence(3, InflightState.RELEASED);
        QueuedMessage written = readAll(backend.direct(), "c").get(0);
        assertThat(written.packetId()).isEqualTo(3);
        assertThat(written.state()).isEqualTo(InflightState.RELEASED);
    }

    @Test
    void repeatedPutsWriteOnlyTheLastValue() {
        open(NEVER);
        store.retained().put(message("r", "v1"));
        store.retained().put(message("r", "v2"));
        store.retained().put(message("r", "v3"));
        store.sessions().put(session("s"));
        store.sessions().put(new SessionState("s", 4, 10, 0, null, 0));
        store.sessions().delete("s");
        store.subscriptions().put("c", subscription("a", 0));
        store.subscriptions().put("c", subscription("b", 1));
        store.subscriptions().put("c", subscription("a", 2));

        flush();
        assertThat(backend.writeNames()).containsExactly("retained.put", "sessions.delete", "subscriptions.put", "subscriptions.put");
        assertThat(backend.direct().retained().get("r")).contains(message("r", "v3"));
        assertThat(backend.direct().sessions().get("s")).isEmpty();
        assertThat(backend.direct().subscriptions().get("c")).as("a keeps the position of its first put")
                .containsExactly(subscription("a", 2), subscription("b", 1));
    }

    @Test
    void subscriptionChangesOverWrittenOnesKeepFirstAddedOrder() {
        open(NEVER);
        store.subscriptions().put("c", subscription("a", 0));
        store.subscriptions().put("c", subscription("b", 0));
        flush();
        store.subscriptions().put("c", subscription("c", 1));
        store.subscriptions().put("c", subscription("a", 2));
        store.subscriptions().delete("c", "b");
        store.subscriptions().put("c", subscription("b", 1));

        List<StoredSubscription> expected = List.of(subscription("a", 2), subscription("c", 1), subscription("b", 1));
        assertThat(store.subscriptions().get("c")).containsExactlyElementsOf(expected);
        flush();
        assertThat(backend.direct().subscriptions().get("c")).containsExactlyElementsOf(expected);
        assertThat(store.subscriptions().get("c")).containsExactlyElementsOf(expected);
    }

    @Test
    void clearDropsTheQueuesWaitingChanges() {
        open(NEVER);
        store.messages().enqueue(message("t", "m0"), targets("c", "d"));
        store.messages().enqueue(message("t", "m1"), targets("c"));
        store.messages().updateInflight("c", readAll(store, "c").get(0).seq(), 1, InflightState.SENT);
        store.messages().addIncomingQos2("c", 5);
        store.messages().clear("c");
        store.messages().enqueue(message("t", "after"), targets("c"));

        assertThat(payloads(readAll(store, "c"))).containsExactly("after");
        assertThat(store.messages().incomingQos2("c")).isEmpty();
        flush();
        assertThat(backend.writeNames()).containsExactly("messages.enqueue", "messages.clear", "messages.enqueue");
        assertThat(clientsOf(backend.writes().get(0))).containsExactly("d");
        assertThat(payloads(readAll(backend.direct(), "c"))).containsExactly("after");
        assertThat(payloads(readAll(backend.direct(), "d"))).containsExactly("m0");
    }

    @Test
    void seqsHandedOutBeforeTheWriteKeepWorkingAfterIt() {
        open(NEVER);
        for (int i = 0; i < 3; i++) {
            store.messages().enqueue(message("t", "m" + i), targets("c"));
        }
        List<Long> ours = seqs(readAll(store, "c"));
        flush();

        List<QueuedMessage> afterWrite = readAll(store, "c");
        assertThat(seqs(afterWrite)).isEqualTo(ours);
        assertThat(payloads(afterWrite)).containsExactly("m0", "m1", "m2");
        List<Long> theirs = seqs(readAll(backend.direct(), "c"));
        assertThat(theirs).doesNotContainAnyElementsOf(ours);

        store.messages().enqueue(message("t", "m3"), targets("c"));
        List<QueuedMessage> acrossTheBoundary = store.messages().read("c", ours.get(1), 10);
        assertThat(payloads(acrossTheBoundary)).as("a written entry, then a waiting one").containsExactly("m2", "m3");
        assertThat(acrossTheBoundary.get(1).seq()).isGreaterThan(ours.get(2));

        store.messages().updateInflight("c", ours.get(1), 5, InflightState.SENT);
        store.messages().remove("c", ours.get(0));
        assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(3, 6));
        flush();
        List<QueuedMessage> written = readAll(backend.direct(), "c");
        assertThat(payloads(written)).containsExactly("m1", "m2", "m3");
        assertThat(written.get(0).seq()).isEqualTo(theirs.get(1));
        assertThat(written.get(0).state()).isEqualTo(InflightState.SENT);
        assertThat(written.get(0).packetId()).isEqualTo(5);
        assertThat(seqs(readAll(store, "c"))).containsExactly(ours.get(1), ours.get(2), acrossTheBoundary.get(1).seq());
        assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(3, 6));

        store.messages().remove("c", ours.get(0)); // a late second remove of a gone entry
        store.messages().updateInflight("c", ours.get(0), 9, InflightState.SENT);
        flush();
        assertThat(payloads(readAll(store, "c"))).containsExactly("m1", "m2", "m3");
    }

    @Test
    void entriesFromBeforeTheStoreWasOpenedKeepTheBackendsSeqs() {
        backend.direct().messages().enqueue(message("t", "old0"), targets("c"));
        backend.direct().messages().enqueue(message("t", "old1"), targets("c"));
        List<Long> old = seqs(readAll(backend.direct(), "c"));
        open(NEVER);

        assertThat(seqs(readAll(store, "c"))).isEqualTo(old);
        store.messages().enqueue(message("t", "new"), targets("c"));
        List<QueuedMessage> queue = readAll(store, "c");
        assertThat(payloads(queue)).containsExactly("old0", "old1", "new");
        assertThat(seqs(queue)).isSorted().doesNotHaveDuplicates();
        assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(3, 11));

        store.messages().remove("c", old.get(0));
        store.messages().updateInflight("c", old.get(1), 9, InflightState.SENT);
        assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(2, 7));
        assertThat(store.messages().read("c", 0, 1).get(0).state()).isEqualTo(InflightState.SENT);
        flush();
        assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(2, 7));
        List<QueuedMessage> written = readAll(backend.direct(), "c");
        assertThat(payloads(written)).containsExactly("old1", "new");
        assertThat(written.get(0).packetId()).isEqualTo(9);
        store.messages().enqueue(message("t", "newer"), targets("c"));
        assertThat(seqs(readAll(store, "c"))).isSorted().hasSize(3);
    }

    @Test
    void failingBackendIsRetriedInOrderAndLoggedOncePerEpisode() {
        backend.failWrites(true);
        open(BufferedStore.Options.DEFAULTS.withSyncIntervalMillis(10));
        store.sessions().put(session("s"));
        store.messages().enqueue(message("t", "m"), targets("s"));
        store.retained().put(message("r", "v"));
        store.subscriptions().put("s", subscription("t", 1));

        await(() -> store.health().failedCalls() >= 3, "retries while the backend fails");
        assertThat(store.health().healthy()).isFalse();
        assertThat(store.health().lastError()).contains("test backend refuses sessions.put");
        assertThat(errors()).as("one ERROR per failure episode, not per attempt").hasSize(1);
        assertThat(store.flush(100)).isFalse();
        assertThat(store.sessions().get("s")).as("reads still answer").contains(session("s"));
        assertThat(payloads(readAll(store, "s"))).containsExactly("m");
        assertThat(backend.writes()).isEmpty();

        backend.failWrites(false);
        flush();
        assertThat(backend.writeNames()).containsExactly("sessions.put", "messages.enqueue", "retained.put", "subscriptions.put");
        assertThat(store.health().healthy()).isTrue();
        assertThat(errors()).hasSize(1);

        backend.failWrites(true);
        store.sessions().delete("s");
        await(() -> !store.health().healthy(), "the next failure");
        await(() -> errors().size() == 2, "a new episode logs again");
        backend.failWrites(false);
        flush();
        assertThat(backend.direct().sessions().get("s")).isEmpty();
    }

    @Test
    void enqueueWhoseSeqsCannotBeReadBackIsNeitherShownNorWrittenTwice() {
        open(BufferedStore.Options.DEFAULTS.withSyncIntervalMillis(10));
        backend.failWhen(call -> call.name().equals("messages.read") && BufferedTestBackend.onFlusher()
                && backend.writeNames().contains("messages.enqueue"));
        StoredMessage m = message("t", "half-way");
        store.messages().enqueue(m, targets("c", "d"));
        await(() -> !store.health().healthy(), "the read-back after the enqueue fails");

        assertThat(readAll(backend.direct(), "c")).as("written").hasSize(1);
        List<QueuedMessage> queue = readAll(store, "c");
        assertThat(payloads(queue)).as("shown once").containsExactly("half-way");
        assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(1, 8));
        store.messages().remove("c", queue.get(0).seq());
        assertThat(readAll(store, "c")).isEmpty();
        assertThat(store.messages().stats("c")).isEqualTo(QueueStats.EMPTY);
        assertThat(payloads(readAll(store, "d"))).containsExactly("half-way");

        backend.failWhen(call -> false);
        flush();
        assertThat(backend.writeNames()).containsExactly("messages.enqueue", "messages.remove");
        assertThat(readAll(backend.direct(), "c")).isEmpty();
        assertThat(payloads(readAll(backend.direct(), "d"))).containsExactly("half-way");
        assertThat(readAll(store, "d").get(0).seq()).as("the seq handed out, now mapped").isEqualTo(queue.get(0).seq() + 1);
    }

    @Test
    void fullBacklogIsRefusedAtOnceWhileTheBackendFails() {
        backend.failWrites(true);
        open(new BufferedStore.Options(10, 2, 1 << 20, 4, 1 << 22, 5000, 1000));
        store.sessions().put(session("s0"));
        await(() -> !store.health().healthy(), "the first write fails");
        for (int i = 1; i < 4; i++) {
            store.sessions().put(session("s" + i));
        }

        long started = System.nanoTime();
        assertThatThrownBy(() -> store.sessions().put(session("s4")))
                .isInstanceOf(PersistenceException.class)
                .hasMessageContaining("failing");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(store.backlog().refusedWrites()).isEqualTo(1);
        assertThat(store.backlog().pendingOps()).isEqualTo(4);

        backend.failWrites(false);
        flush();
        store.sessions().put(session("s4"));
        flush();
        List<SessionState> written = new ArrayList<>();
        backend.direct().sessions().forEach(written::add);
        assertThat(written).extracting(SessionState::clientId).containsExactlyInAnyOrder("s0", "s1", "s2", "s3", "s4");
    }

    @Test
    void fullBacklogBlocksTheCallerUntilTheFlusherMakesRoom() throws Exception {
        backend.hold();
        open(new BufferedStore.Options(3_600_000, 2, 1 << 20, 4, 1 << 22, 30_000, 1000));
        for (int i = 0; i < 4; i++) {
            store.sessions().put(session("s" + i));
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                store.sessions().put(session("s4"));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "blocked-writer");
        writer.start();
        writer.join(300);
        assertThat(writer.isAlive()).as("blocked while 4 changes wait").isTrue();
        assertThat(store.backlog().blockedWrites()).isEqualTo(1);

        backend.release(2);
        writer.join(10_000);
        assertThat(writer.isAlive()).as("released once the flusher wrote two").isFalse();
        assertThat(failure.get()).isNull();
        backend.open();
        flush();
        assertThat(backend.writes()).hasSize(5);
    }

    @Test
    void forEachVisitorThatWritesDoesNotWaitForTheFlusherItHoldsUp() throws Exception {
        for (int i = 0; i < 20; i++) {
            backend.direct().sessions().put(session("s" + i));
        }
        open(new BufferedStore.Options(1, 1, 1 << 20, 1, 1 << 20, 2000, 1000));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread visitor = new Thread(() -> {
            try {
                store.sessions().forEach(s -> {
                    store.sessions().delete(s.clientId());
                    assertThat(store.sessions().get(s.clientId())).as("a read inside the visitor").isEmpty();
                });
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "visitor");
        visitor.start();
        visitor.join(10_000);
        assertThat(visitor.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        flush();
        List<SessionState> left = new ArrayList<>();
        backend.direct().sessions().forEach(left::add);
        assertThat(left).isEmpty();
    }

    @Test
    void retainedCountAndForEachMergeWaitingChangesWithTheBackend() {
        backend.direct().retained().put(message("r1", "old"));
        backend.direct().retained().put(message("r2", "old"));
        open(NEVER);
        store.retained().put(message("r3", "new"));
        store.retained().put(message("r1", "replaced"));
        store.retained().delete("r2");
        store.retained().delete("never");

        assertThat(store.retained().count()).isEqualTo(2);
        List<StoredMessage> visited = new ArrayList<>();
        store.retained().forEach(visited::add);
        assertThat(visited).containsExactlyInAnyOrder(message("r1", "replaced"), message("r3", "new"));
        store.retained().put(message("r2", "back"));
        assertThat(store.retained().count()).isEqualTo(3);
        flush();
        assertThat(store.retained().count()).isEqualTo(3);
        assertThat(backend.direct().retained().count()).isEqualTo(3);
    }

    @Test
    void closeWritesEverythingClosesTheBackendAndRefusesLaterCalls() {
        open(NEVER);
        store.sessions().put(session("s"));
        store.messages().enqueue(message("t", "m"), targets("s"));
        store.close();

        assertThat(backend.isClosed()).isTrue();
        assertThat(backend.writeNames()).containsExactly("sessions.put", "messages.enqueue");
        assertThatThrownBy(() -> store.sessions().put(session("late"))).isInstanceOf(PersistenceException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> store.sessions().get("s")).isInstanceOf(PersistenceException.class);
        store.close(); // twice is harmless
        store = null;
    }

    @Test
    void closeGivesUpOnABackendThatKeepsFailingAndSaysWhatIsLost() {
        backend.failWrites(true);
        open(new BufferedStore.Options(10, 10, 1 << 20, 100, 1 << 22, 1000, 300));
        store.sessions().put(session("s"));
        store.retained().put(message("r", "v"));
        long started = System.nanoTime();
        store.close();
        store = null;

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(backend.isClosed()).isTrue();
        assertThat(errors()).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("2 acknowledged changes not written"));
    }

    @Test
    void qos2IdsOfWaitingAndWrittenChangesMerge() {
        backend.direct().messages().addIncomingQos2("c", 1);
        backend.direct().messages().addIncomingQos2("c", 2);
        open(NEVER);
        store.messages().removeIncomingQos2("c", 1);
        store.messages().addIncomingQos2("c", 3);
        store.messages().addIncomingQos2("c", 4);
        store.messages().removeIncomingQos2("c", 4);

        assertThat(store.messages().incomingQos2("c")).isEqualTo(Set.of(2, 3));
        flush();
        assertThat(backend.direct().messages().incomingQos2("c")).isEqualTo(Set.of(2, 3));
        assertThat(backend.writeNames()).as("the add and remove of 4 became one remove")
                .containsExactly("messages.removeIncomingQos2", "messages.addIncomingQos2", "messages.removeIncomingQos2");
    }

    private List<ILoggingEvent> errors() {
        synchronized (logged.list) {
            return logged.list.stream().filter(e -> e.getLevel() == Level.ERROR).toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> clientsOf(BufferedTestBackend.Call enqueue) {
        return ((List<QueueTarget>) enqueue.args().get(1)).stream().map(QueueTarget::clientId).toList();
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within 10 s: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for: " + what);
            }
        }
    }
}
