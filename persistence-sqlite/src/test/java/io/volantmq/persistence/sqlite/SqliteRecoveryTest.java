package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * Entries that hold their message reference no messages row, and must not be taken for ones whose
     * row was lost: with no shared message at all (messages empty) as with one beside them.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void truncatedFileKeepsTheEntriesThatHoldTheirMessage(boolean withSharedMessage) throws IOException {
        StoredMessage shared = new StoredMessage("shared", 1, false, new byte[100], null, 1, 0);
        try (Store store = open()) {
            if (withSharedMessage) {
                store.messages().enqueue(shared, List.of(new QueueTarget("a", 1, false, List.of()),
                        new QueueTarget("b", 1, false, List.of())));
            }
            for (int i = 0; i < 200; i++) {
                store.messages().enqueue(queued(i), List.of(new QueueTarget("c", 1, false, List.of(i + 1))));
            }
        }
        try (FileChannel file = FileChannel.open(db(), StandardOpenOption.WRITE)) {
            file.truncate(file.size() - 5 * 4096 - 123);
        }

        try (Store store = open()) {
            List<QueuedMessage> c = store.messages().read("c", 0, 1000);
            assertThat(c).hasSizeBetween(150, 199);
            for (QueuedMessage entry : c) {
                int i = entry.subscriptionIds().get(0) - 1;
                assertThat(entry.message()).isEqualTo(queued(i));
            }
            assertThat(store.messages().stats("c")).isEqualTo(new QueueStats(c.size(), c.size() * 2000L));
            if (withSharedMessage) {
                assertThat(store.messages().read("a", 0, 10)).extracting(QueuedMessage::message).containsExactly(shared);
                assertThat(store.messages().read("b", 0, 10)).extracting(QueuedMessage::message).containsExactly(shared);
            }
            store.messages().enqueue(queued(0), List.of(new QueueTarget("c", 1, false, List.of(1))));
            List<QueuedMessage> after = store.messages().read("c", 0, 1000);
            assertThat(after).hasSize(c.size() + 1);
            // the seqs of the lost entries are not handed out again
            assertThat(after.get(c.size()).seq()).isGreaterThan(200 + (withSharedMessage ? 2 : 0));
        }
    }

    private static StoredMessage queued(int i) {
        byte[] payload = new byte[2000];
        payload[0] = (byte) i;
        return new StoredMessage("q/" + i, 1, false, payload, null, 1, 0);
    }

    @Test
    void synchronousOffIsRefusedBecauseTheStoreClaimsDurability() {
        ProviderConfig config = new ProviderConfig("sqlite", Map.of("path", db().toString(), "synchronous", "off"));

        assertThatThrownBy(() -> new SqliteProvider().open(config).close())
                .isInstanceOf(PersistenceException.class)
                .hasMessageContaining("volantmq.persistence.sqlite.synchronous");
    }
}
