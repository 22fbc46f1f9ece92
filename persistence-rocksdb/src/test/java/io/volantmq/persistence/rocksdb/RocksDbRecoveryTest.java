package io.volantmq.persistence.rocksdb;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.contract.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What only RocksDB has: its settings, moving an unrecoverable store aside, reclaiming disk. */
class RocksDbRecoveryTest {
    @TempDir
    Path tempDir;

    private Store open(Map<String, String> settings) {
        return new RocksDbProvider().open(new ProviderConfig("rocksdb", settings));
    }

    private Map<String, String> at(Path dir) {
        return Map.of("path", dir.toString());
    }

    @Test
    void unrecoverableStoreIsMovedAsideAndAnEmptyOneOpens() throws IOException {
        Path dir = tempDir.resolve("db");
        try (Store store = open(at(dir))) {
            store.sessions().put(new SessionState("lost", 5, 60, 0, null, 0));
        }
        Path manifest;
        try (Stream<Path> files = Files.list(dir)) {
            manifest = files.filter(p -> p.getFileName().toString().startsWith("MANIFEST-")).findFirst().orElseThrow();
        }
        byte[] garbage = new byte[(int) Files.size(manifest)];
        new Random(1).nextBytes(garbage);
        Files.write(manifest, garbage);

        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(RocksDbFiles.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try (Store store = open(at(dir))) {
            assertThat(store.sessions().get("lost")).isEmpty();
            store.sessions().put(new SessionState("new", 5, 60, 0, null, 0));
        } finally {
            logger.detachAppender(events);
        }

        Path aside;
        try (Stream<Path> siblings = Files.list(tempDir)) {
            aside = siblings.filter(p -> p.getFileName().toString().startsWith("db.damaged-")).findFirst().orElseThrow();
        }
        assertThat(aside.resolve(manifest.getFileName())).exists();
        assertThat(events.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).contains(dir.toString()).contains(aside.toString());
        });
        try (Store store = open(at(dir))) {
            assertThat(store.sessions().get("new")).isPresent();
        }
    }

    @Test
    void storeLockedByAnotherOpenIsRefusedNotMovedAside() {
        Path dir = tempDir.resolve("db");
        try (Store first = open(at(dir))) {
            assertThatThrownBy(() -> open(at(dir)))
                    .isInstanceOf(PersistenceException.class)
                    .hasMessageContaining(dir.toString());
        }
        try (Stream<Path> siblings = Files.list(tempDir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("db");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void fsyncMustBeTrueOrFalse() {
        assertThatThrownBy(() -> open(Map.of("path", tempDir.toString(), "fsync", "sometimes")))
                .isInstanceOf(PersistenceException.class)
                .hasMessageContaining("volantmq.persistence.rocksdb.fsync");
    }

    @Test
    void drainedQueuesGiveTheirDiskSpaceBack() throws Exception {
        Path dir = tempDir.resolve("db");
        int messages = 160;
        int size = 128 * 1024;
        try (Store store = open(at(dir))) {
            RocksDbStore rocks = (RocksDbStore) store;
            for (int i = 0; i < messages; i++) {
                StoredMessage m = new StoredMessage("t", 1, false, Fixtures.randomBytes(size, i), null, 0, 0);
                store.messages().enqueue(m, List.of(new QueueTarget("a", 1, false, null), new QueueTarget("b", 1, false, null)));
            }
            long full = rocks.reclaimSpace();
            assertThat(full).as("bodies are stored once, not per queue").isBetween((long) messages * size, 2L * messages * size - 1);

            for (String client : List.of("a", "b")) {
                for (QueuedMessage entry : store.messages().read(client, 0, messages)) {
                    store.messages().remove(client, entry.seq());
                }
                assertThat(store.messages().stats(client)).isEqualTo(QueueStats.EMPTY);
            }
            long drained = rocks.reclaimSpace();
            assertThat(drained).isLessThan(full / 20);
            assertThat(directorySize(dir)).isLessThan(full / 4);
        }
    }

    private static long directorySize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
