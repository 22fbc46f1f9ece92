package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What this backend does beyond the contract with a damaged file: the file is kept beside the
 * fresh one, untouched, under a timestamp suffix, and the rows that can be read are carried over.
 */
class SqliteRecoveryTest {
    @TempDir
    Path dir;

    private Store open() {
        return new SqliteProvider().open(new ProviderConfig("sqlite", Map.of("path", db().toString())));
    }

    private Path db() {
        return dir.resolve("nested/volantmq.db");
    }

    private List<Path> movedAside() throws IOException {
        try (Stream<Path> files = Files.list(db().getParent())) {
            return files.filter(p -> p.getFileName().toString().matches("volantmq\\.db\\.damaged-\\d{8}T\\d{6}\\.\\d{3}Z"))
                    .toList();
        }
    }

    @Test
    void fileThatIsNotADatabaseIsMovedAsideUntouchedAndAFreshStoreStarts() throws IOException {
        Files.createDirectories(db().getParent());
        byte[] garbage = "not a database, but somebody's data all the same ".repeat(100).getBytes(StandardCharsets.UTF_8);
        Files.write(db(), garbage);

        try (Store store = open()) {
            store.sessions().put(new SessionState("c", 5, 60, 0, null, 0));
            assertThat(store.sessions().get("c")).isPresent();
        }

        assertThat(movedAside()).singleElement().satisfies(aside -> assertThat(Files.readAllBytes(aside)).isEqualTo(garbage));
    }

    @Test
    void truncatedFileKeepsTheRowsThatSurvivedAndTheOriginalBytes() throws IOException {
        try (Store store = open()) {
            for (int i = 0; i < 200; i++) {
                store.retained().put(new StoredMessage("r/" + i, 1, true, new byte[2000], null, 1, 0));
            }
        }
        try (FileChannel file = FileChannel.open(db(), StandardOpenOption.WRITE)) {
            file.truncate(file.size() - 5 * 4096 - 123);
        }
        byte[] damaged = Files.readAllBytes(db());

        try (Store store = open()) {
            // the first pages hold most rows; only those on the lost tail pages may be gone
            assertThat(store.retained().count()).isBetween(150L, 199L);
        }

        assertThat(movedAside()).singleElement().satisfies(aside -> assertThat(Files.readAllBytes(aside)).isEqualTo(damaged));
        try (Stream<Path> files = Files.list(db().getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.contains("salvage"));
        }
    }

    @Test
    void synchronousOffIsRefusedBecauseTheStoreClaimsDurability() {
        ProviderConfig config = new ProviderConfig("sqlite", Map.of("path", db().toString(), "synchronous", "off"));

        assertThatThrownBy(() -> new SqliteProvider().open(config).close())
                .isInstanceOf(PersistenceException.class)
                .hasMessageContaining("volantmq.persistence.sqlite.synchronous");
    }
}
