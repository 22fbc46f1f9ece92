package io.volantmq.persistence;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreFilesTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-04T05:06:07.089Z"), ZoneOffset.UTC);

    @TempDir
    Path tempDir;

    private final Logger log = (Logger) LoggerFactory.getLogger("StoreFilesTest");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void capture() {
        events.start();
        log.addAppender(events);
    }

    @AfterEach
    void release() {
        log.detachAppender(events);
    }

    @Test
    void fileIsRenamedWithTimestampAndLoggedAtErrorWithWhatAndWhy() throws IOException {
        Path file = Files.writeString(tempDir.resolve("store.db"), "damaged");

        Path aside = StoreFiles.moveAside(file, "test store", "bad header", List.of(), log, CLOCK);

        assertThat(aside).isEqualTo(tempDir.resolve("store.db.damaged-20260304T050607.089Z"));
        assertThat(file).doesNotExist();
        assertThat(aside).hasContent("damaged");
        assertThat(events.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getFormattedMessage()).contains("test store", file.toString(), "bad header", aside.toString());
        });
    }

    @Test
    void directoryMovesWithItsContent() throws IOException {
        Path dir = Files.createDirectories(tempDir.resolve("db"));
        Files.writeString(dir.resolve("CURRENT"), "x");

        Path aside = StoreFiles.moveAside(dir, "test store", "corrupt", List.of(), log, CLOCK);

        assertThat(dir).doesNotExist();
        assertThat(aside.resolve("CURRENT")).hasContent("x");
        assertThat(aside.getFileName().toString()).startsWith("db.damaged-");
    }

    @Test
    void companionsThatExistMoveUnderTheNewNameWithTheirSuffix() throws IOException {
        Path file = Files.writeString(tempDir.resolve("v.db"), "main");
        Files.writeString(tempDir.resolve("v.db-wal"), "wal");

        Path aside = StoreFiles.moveAside(file, "test store", "corrupt", List.of("-wal", "-shm"), log, CLOCK);

        assertThat(tempDir.resolve(aside.getFileName() + "-wal")).hasContent("wal");
        assertThat(tempDir.resolve(aside.getFileName() + "-shm")).doesNotExist();
        try (Stream<Path> left = Files.list(tempDir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("v.db-"));
        }
        assertThat(events.list).singleElement().satisfies(e ->
                assertThat(e.getFormattedMessage()).contains(aside.getFileName() + "-wal"));
    }

    @Test
    void takenNameGetsANumber() throws IOException {
        Path file = Files.writeString(tempDir.resolve("s"), "one");
        Path first = StoreFiles.moveAside(file, "test store", "corrupt", List.of(), log, CLOCK);
        Files.writeString(file, "two");

        Path second = StoreFiles.moveAside(file, "test store", "corrupt", List.of(), log, CLOCK);

        assertThat(second).isEqualTo(tempDir.resolve(first.getFileName() + "-1"));
        assertThat(first).hasContent("one");
        assertThat(second).hasContent("two");
    }

    @Test
    void failedMoveIsAnErrorNamingStoreAndTarget() {
        Path missing = tempDir.resolve("gone");

        assertThatThrownBy(() -> StoreFiles.moveAside(missing, "test store", "corrupt", List.of(), log, CLOCK))
                .isInstanceOf(PersistenceException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("gone.damaged-20260304T050607.089Z");
        assertThat(events.list).isEmpty();
    }
}
