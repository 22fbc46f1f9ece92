package io.volantmq.broker.store;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Providers;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Group commit over a real RocksDB store in its default {@code commit=group} mode. */
class GroupCommitTest {
    @TempDir
    Path dir;

    private Store open() {
        Store store = Providers.select("rocksdb", getClass().getClassLoader())
                .open(new ProviderConfig("rocksdb", Map.of("path", dir.resolve("db").toString())));
        assertThat(store.durability()).isEqualTo(Store.Durability.ON_SYNC);
        return store;
    }

    private static StoredMessage message(String payload) {
        return new StoredMessage("t", 1, false, payload.getBytes(StandardCharsets.UTF_8), null, System.currentTimeMillis(), 0);
    }

    @Test
    void concurrentWritersShareSyncsAndEveryOneIsToldItsChangesAreDurable() throws Exception {
        Store store = open();
        try (GroupCommit commit = new GroupCommit(store, "test")) {
            int threads = 4;
            int perThread = 300;
            ConcurrentLinkedQueue<Boolean> answers = new ConcurrentLinkedQueue<>();
            CountDownLatch done = new CountDownLatch(threads * perThread);
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String client = "c" + t;
                Thread writer = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        store.messages().enqueue(message(client + "-" + i), List.of(new QueueTarget(client, 1, false, List.of())));
                        commit.afterSync(durable -> {
                            answers.add(durable);
                            done.countDown();
                        });
                    }
                });
                writer.start();
                writers.add(writer);
            }
            for (Thread writer : writers) {
                writer.join();
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).as("every waiter answered").isTrue();
            assertThat(answers).hasSize(threads * perThread).containsOnly(true);
            assertThat(commit.waiters()).isEqualTo(threads * perThread);
            // writers that asked while a sync ran shared the next one
            assertThat(commit.syncs()).isLessThan(commit.waiters());
        } finally {
            store.close();
        }
    }

    @Test
    void aFailedSyncTellsWaitersTheirChangesAreNotDurable() throws Exception {
        Store store = open();
        try (GroupCommit commit = new GroupCommit(store, "test")) {
            store.close(); // sync now throws: nothing may be acknowledged
            CountDownLatch answered = new CountDownLatch(1);
            AtomicBoolean durable = new AtomicBoolean(true);
            commit.afterSync(d -> {
                durable.set(d);
                answered.countDown();
            });
            assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(durable).isFalse();
        }
    }

    @Test
    void afterCloseWaitersAreRefusedAtOnce() {
        Store store = open();
        try {
            GroupCommit commit = new GroupCommit(store, "test");
            commit.close();
            AtomicBoolean durable = new AtomicBoolean(true);
            commit.afterSync(durable::set);
            assertThat(durable).isFalse();
        } finally {
            store.close();
        }
    }
}
