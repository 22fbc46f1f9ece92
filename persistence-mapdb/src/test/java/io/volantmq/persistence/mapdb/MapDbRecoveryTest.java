package io.volantmq.persistence.mapdb;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The file's handling on open: a damaged file, and a MapDB 3 file an earlier version wrote that cannot
 * be converted, are moved aside and an empty store opens in its place; a file in use or a directory is
 * refused.
 */
class MapDbRecoveryTest {
    @TempDir
    Path tempDir;

    private Store open(Path file) {
        return new MapDbProvider().open(new ProviderConfig("mapdb", Map.of("path", file.toString())));
    }

    private Path storeWithOneSession() {
        Path file = tempDir.resolve("data").resolve("volantmq.mapdb");
        try (Store store = open(file)) {
            store.sessions().put(new SessionState("lost", 5, 60, 0, null, 0));
        }
        return file;
    }

    @Test
    void aBrokenFirstHeaderIsReadFromItsCopyAndNothingIsLost() throws IOException {
        Path file = storeWithOneSession();
        overwrite(file, 64);
        try (Store store = open(file)) {
            assertThat(store.sessions().get("lost")).isPresent();
        }
        assertNothingMovedAside(file);
    }

    @Test
    void fileWithBothHeadersBrokenIsMovedAsideAndAnEmptyStoreOpens() throws IOException {
        Path file = storeWithOneSession();
        overwrite(file, 8192); // MVStore keeps its header twice, in the first two 4 KB blocks
        assertMovedAsideAndReplaced(file);
    }

    /** MVStore falls back to the last commit it can read whole; here that is the empty one of the new file. */
    @Test
    void truncatedFileOpensAtItsLastWholeCommit() throws IOException {
        Path file = storeWithOneSession();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
        try (Store store = open(file)) {
            store.sessions().put(new SessionState("new", 5, 60, 0, null, 0));
        }
        try (Store store = open(file)) {
            assertThat(store.sessions().get("new")).isPresent();
        }
        assertNothingMovedAside(file);
    }

    private static void overwrite(Path file, int bytes) throws IOException {
        byte[] garbage = new byte[bytes];
        new Random(1).nextBytes(garbage);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(garbage), 0);
        }
    }

    private static void assertNothingMovedAside(Path file) throws IOException {
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly(file.getFileName().toString());
        }
    }

    private void assertMovedAsideAndReplaced(Path file) throws IOException {
        long damagedSize = Files.size(file);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(MapDbFiles.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try (Store store = open(file)) {
            assertThat(store.sessions().get("lost")).isEmpty();
            store.sessions().put(new SessionState("new", 5, 60, 0, null, 0));
        } finally {
            logger.detachAppender(events);
        }

        List<Path> aside;
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            aside = siblings.filter(p -> p.getFileName().toString().startsWith("volantmq.mapdb.damaged-")).toList();
        }
        assertThat(aside).singleElement().satisfies(p -> assertThat(Files.size(p)).isEqualTo(damagedSize));
        assertThat(events.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).contains(file.toString()).contains(aside.get(0).toString());
        });
        try (Store store = open(file)) {
            assertThat(store.sessions().get("new")).isPresent();
        }
    }

    /** Only a header: nothing to convert (LegacyMapDbConversionTest converts real files). */
    @Test
    void mapDbFileOfAnEarlierVersionThatCannotBeConvertedIsMovedAsideWithItsJournalAndTheErrorSaysHowToDrainIt()
            throws IOException {
        Path file = tempDir.resolve("data").resolve("volantmq.mapdb");
        Files.createDirectories(file.getParent());
        // the first 16 bytes of a file MapDB 3.1.0 wrote for the earlier mapdb backend, then its zeroed space
        byte[] mapdb = new byte[8192];
        byte[] header = {0x4A, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
        System.arraycopy(header, 0, mapdb, 0, header.length);
        Files.write(file, mapdb);
        Files.writeString(file.resolveSibling("volantmq.mapdb.journal"), "journal");
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(LegacyMapDbFile.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try (Store store = open(file)) {
            store.sessions().put(new SessionState("new", 5, 60, 0, null, 0));
        } finally {
            logger.detachAppender(events);
        }

        List<Path> aside;
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            aside = siblings.filter(p -> p.getFileName().toString().startsWith("volantmq.mapdb.damaged-")).sorted().toList();
        }
        assertThat(aside).hasSize(2);
        Path moved = aside.get(0);
        assertThat(Files.readAllBytes(moved)).isEqualTo(mapdb);
        assertThat(aside.get(1)).hasFileName(moved.getFileName() + ".journal");
        assertThat(events.list).filteredOn(e -> e.getLevel() == Level.ERROR)
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains(file.toString()).contains("MapDB 3 file")
                        .contains(moved.toString()))
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("NOTHING of the old MapDB file")
                        .contains("volantmq.persistence.mapdb.path=" + moved));
        try (Store store = open(file)) {
            assertThat(store.sessions().get("new")).isPresent();
        }
    }

    @Test
    void fileInUseIsRefusedNotMovedAside() throws IOException {
        Path file = tempDir.resolve("volantmq.mapdb");
        try (Store first = open(file)) {
            first.sessions().put(new SessionState("kept", 5, 60, 0, null, 0));
            assertThatThrownBy(() -> open(file))
                    .isInstanceOf(PersistenceException.class)
                    .hasMessageContaining(file.toString());
            assertThat(first.sessions().get("kept")).isPresent();
        }
        try (Stream<Path> siblings = Files.list(tempDir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("volantmq.mapdb");
        }
    }

    @Test
    void pathThatIsADirectoryIsRefused() throws IOException {
        Path dir = Files.createDirectories(tempDir.resolve("a-directory"));
        assertThatThrownBy(() -> open(dir))
                .isInstanceOf(PersistenceException.class)
                .hasMessageContaining(dir.toString());
        assertThat(dir).isDirectory();
    }
}
