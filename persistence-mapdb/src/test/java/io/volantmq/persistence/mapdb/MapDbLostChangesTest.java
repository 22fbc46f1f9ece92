package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.contract.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group commit with several writing threads (the broker's store lanes), in the order of the review of
 * 2026-12-07: lane A writes, lane B's change fails (MVStore rolls back every uncommitted change, A's
 * too), lane C syncs, then A syncs. A sync that returns normally must cover A's change; when A's change
 * is really lost, A's own sync must fail, even though C's sync failed first. Each lane is one real
 * thread, and each step waits for the one before, so the order is always this one.
 */
class MapDbLostChangesTest {
    private static final long STEP_SECONDS = 30;

    @TempDir
    Path tempDir;

    private final List<ExecutorService> lanes = new ArrayList<>();

    @AfterEach
    void stopLanes() {
        lanes.forEach(ExecutorService::shutdownNow);
    }

    @Test
    void aFailedChangeOfOneLaneLosesNothingAnotherLaneWasToldItMade() throws Exception {
        Path file = tempDir.resolve("volantmq.mapdb");
        MapDbStore store = open(file);
        ExecutorService a = lane("lane-a");
        ExecutorService b = lane("lane-b");
        ExecutorService c = lane("lane-c");

        run(a, () -> store.messages().enqueue(Fixtures.message("t", "from A"), Fixtures.targets("a")));
        Throwable bFailed = outcome(b, () -> store.write("B's change", () -> {
            store.files().sessions.put("b", new byte[] {1}); // half made, then it fails
            throw new IllegalStateException("B's change fails half made");
        }));
        Throwable cSync = outcome(c, store::sync);
        Throwable aSync = outcome(a, store::sync);

        assertThat(bFailed).as("B's own failed change").isInstanceOf(PersistenceException.class);
        crash(store);
        try (Store reopened = open(file)) {
            if (aSync == null) {
                assertThat(Fixtures.payloads(Fixtures.readAll(reopened, "a")))
                        .as("A's sync returned normally, so A's change must survive a crash").containsExactly("from A");
            }
            assertThat(reopened.sessions().get("b")).as("nothing of B's failed change").isEmpty();
        }
        assertThat(aSync).as("A's sync: nothing of A's was lost").isNull();
        assertThat(cSync).as("C's sync: nothing was lost").isNull();
    }

    @Test
    void whenTheFileFailsALaneWhoseChangeWasLostIsToldByItsOwnSyncAfterAnotherLanesSyncFailedFirst() throws Exception {
        Path file = tempDir.resolve("volantmq.mapdb");
        MapDbStore store = open(file);
        ExecutorService a = lane("lane-a");
        ExecutorService b = lane("lane-b");
        ExecutorService c = lane("lane-c");
        ExecutorService d = lane("lane-d");

        run(a, () -> store.messages().enqueue(Fixtures.message("t", "lost"), Fixtures.targets("a")));
        // what MVStore does when a write to its file fails: it closes itself, dropping what was not committed
        store.files().mv.closeImmediately();
        Throwable bFailed = outcome(b, () -> store.messages().enqueue(Fixtures.message("t", "from B"), Fixtures.targets("b")));
        Throwable cSync = outcome(c, store::sync);
        Throwable aSync = outcome(a, store::sync);
        Throwable dSync = outcome(d, store::sync);

        assertThat(bFailed).as("B's own failed change").isInstanceOf(PersistenceException.class);
        assertThat(cSync).as("C's sync, the first after the loss").isInstanceOf(PersistenceException.class);
        assertThat(aSync).as("A's own sync after C's failed: A's change was lost").isInstanceOf(PersistenceException.class);
        assertThat(dSync).as("D's sync: D lost nothing").isNull();

        // told once: A's next change and sync work, and are durable
        run(a, () -> store.messages().enqueue(Fixtures.message("t", "again"), Fixtures.targets("a")));
        assertThat(outcome(a, store::sync)).as("A's sync after it was told").isNull();
        crash(store);
        try (Store reopened = open(file)) {
            assertThat(Fixtures.payloads(Fixtures.readAll(reopened, "a"))).containsExactly("again");
        }
    }

    private MapDbStore open(Path file) {
        return (MapDbStore) new MapDbProvider().open(new ProviderConfig("mapdb", Map.of("path", file.toString(), "commit", "group")));
    }

    /** A crash: the file stays at its last commit; nothing uncommitted is written. */
    private static void crash(MapDbStore store) {
        store.files().mv.closeImmediately();
    }

    private ExecutorService lane(String name) {
        ExecutorService lane = Executors.newSingleThreadExecutor(r -> new Thread(r, name));
        lanes.add(lane);
        return lane;
    }

    private static void run(ExecutorService lane, Runnable step) throws Exception {
        Throwable failed = outcome(lane, step);
        if (failed != null) {
            throw new AssertionError("step on " + lane + " failed", failed);
        }
    }

    /** Runs {@code step} on {@code lane} and waits for it: null when it returned normally, else what it threw. */
    private static Throwable outcome(ExecutorService lane, Runnable step) throws Exception {
        try {
            lane.submit(step).get(STEP_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }
}
