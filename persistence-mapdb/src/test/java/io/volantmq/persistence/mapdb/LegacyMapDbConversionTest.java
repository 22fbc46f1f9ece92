package io.volantmq.persistence.mapdb;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Files the MapDB version of this backend (b0ee7c5^) really wrote, through its Provider SPI, with
 * {@code src/test/resources/legacy-mapdb/WriteOldMapDbStore.java.txt}: {@code clean} was closed
 * normally; {@code pending} stopped after its last commit (a QoS 2 message "last" for gamma) was in
 * the journal but not yet in the file, as a kill -9 at that point leaves it. Both hold the same
 * records once the journal is replayed.
 */
class LegacyMapDbConversionTest {
    private static final long T = 1_765_000_000_000L;

    @TempDir
    Path tempDir;

    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void listen() {
        events.start();
        logger().addAppender(events);
    }

    @AfterEach
    void stopListening() {
        logger().detachAppender(events);
    }

    private static ch.qos.logback.classic.Logger logger() {
        return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.volantmq.persistence.mapdb");
    }

    private Store open(Path file) {
        return new MapDbProvider().open(new ProviderConfig("mapdb", Map.of("path", file.toString())));
    }

    /** Unpacks a fixture (file and, if it has one, journal) into a fresh directory; returns the file. */
    private Path fixture(String name) throws IOException {
        Path file = tempDir.resolve(name).resolve("volantmq.mapdb");
        Files.createDirectories(file.getParent());
        Files.write(file, unpack("legacy-mapdb/" + name + "/volantmq.mapdb.gz"));
        if (getClass().getClassLoader().getResource("legacy-mapdb/" + name + "/volantmq.mapdb.journal.gz") != null) {
            Files.write(file.resolveSibling("volantmq.mapdb.journal"), unpack("legacy-mapdb/" + name + "/volantmq.mapdb.journal.gz"));
        }
        return file;
    }

    private byte[] unpack(String resource) throws IOException {
        try (InputStream in = new GZIPInputStream(getClass().getClassLoader().getResourceAsStream(resource))) {
            return in.readAllBytes();
        }
    }

    private static StoredMessage msg(String topic, int qos, boolean retain, String payload, byte[] properties) {
        return new StoredMessage(topic, qos, retain, payload.getBytes(StandardCharsets.UTF_8), properties, T, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"clean", "pending"})
    void everyRecordOfAFileTheMapDbVersionWroteIsConvertedWithItsOrderAndIds(String fixture) throws IOException {
        Path file = fixture(fixture);
        byte[] oldFile = Files.readAllBytes(file);
        Path journal = file.resolveSibling("volantmq.mapdb.journal");
        byte[] oldJournal = Files.exists(journal) ? Files.readAllBytes(journal) : null;

        try (Store store = open(file)) {
            assertConvertedContent(store);
            // the id counter goes on: the next seq follows the last the old version handed out (24)
            store.messages().enqueue(msg("after", 1, false, "new", new byte[0]), List.of(new QueueTarget("beta", 1, false, List.of())));
            assertThat(store.messages().read("beta", 22, 10)).extracting(QueuedMessage::seq).containsExactly(25L);
        }

        List<Path> kept = siblings(file, "volantmq.mapdb.mapdb3-");
        assertThat(kept).first().satisfies(p -> assertThat(Files.readAllBytes(p)).as("old file kept unchanged").isEqualTo(oldFile));
        if (oldJournal != null) {
            assertThat(kept).hasSize(2);
            assertThat(kept.get(1)).hasFileName(kept.get(0).getFileName() + ".journal");
            assertThat(Files.readAllBytes(kept.get(1))).as("journal kept unchanged").isEqualTo(oldJournal);
        } else {
            assertThat(kept).hasSize(1);
        }
        try (Stream<Path> all = Files.list(file.getParent())) {
            assertThat(all.map(p -> p.getFileName().toString()))
                    .as("no temporary file is left").noneMatch(n -> n.contains(".convert"))
                    .noneMatch(n -> n.contains(".damaged-"));
        }
        assertThat(events.list).filteredOn(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().contains("converted the MapDB file"))
                .singleElement().satisfies(e -> {
                    assertThat(e.getFormattedMessage()).contains(file.toString()).contains(kept.get(0).toString())
                            .contains("3 sessions, 4 subscriptions, 2 retained messages, 16 queued messages over 12 message bodies, "
                                    + "3 inbound QoS 2 packet ids");
                    if (oldJournal != null) {
                        assertThat(e.getFormattedMessage()).contains("replayed commit");
                    }
                    System.out.println("conversion of the " + fixture + " fixture: " + e.getFormattedMessage());
                });
        assertThat(events.list).noneMatch(e -> e.getLevel() == Level.ERROR);
    }

    private static void assertConvertedContent(Store store) {
        List<SessionState> sessions = new ArrayList<>();
        store.sessions().forEach(sessions::add);
        assertThat(sessions).containsExactlyInAnyOrder(
                new SessionState("alpha", 5, 4_294_967_295L, T + 1, msg("will/alpha", 1, false, "gone", new byte[] {2, 1, 1}), 10, "node-1"),
                new SessionState("beta", 4, Long.MAX_VALUE, 0, null, 0, null),
                new SessionState("gamma", 5, 60, T + 2, null, 0, "node-2"));

        assertThat(store.subscriptions().get("alpha")).as("order of first subscription").containsExactly(
                new StoredSubscription("sensors/+/temp", 2, false, true, 0, 8),
                new StoredSubscription("alerts/#", 2, true, true, 1, 0),
                new StoredSubscription("a/b", 0, false, false, 2, 9));
        assertThat(store.subscriptions().get("beta")).containsExactly(new StoredSubscription("x/y", 2, false, false, 0, 0));

        assertThat(store.retained().count()).isEqualTo(2);
        assertThat(store.retained().get("status/a")).contains(msg("status/a", 1, true, "online", new byte[0]));
        assertThat(store.retained().get("status/b")).contains(msg("status/b", 0, true, "offline", new byte[] {5, 3, 0, 2, 0x68, 0x69}));

        // alpha got every message; 8 and 13 were removed; 6 was sent (packet id 17), 11 released (18)
        List<QueuedMessage> alpha = store.messages().read("alpha", 0, 100);
        assertThat(alpha).extracting(QueuedMessage::seq).containsExactly(6L, 10L, 11L, 15L, 16L, 18L, 20L, 21L);
        long[] alphaSeqs = {6, 8, 10, 11, 13, 15, 16, 18, 20, 21};
        List<QueuedMessage> expectedAlpha = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            long seq = alphaSeqs[i - 1];
            if (seq == 8 || seq == 13) {
                continue;
            }
            int qos = i % 2 == 0 ? 2 : 1;
            int packetId = seq == 6 ? 17 : seq == 11 ? 18 : 0;
            InflightState state = seq == 6 ? InflightState.SENT : seq == 11 ? InflightState.RELEASED : InflightState.QUEUED;
            expectedAlpha.add(new QueuedMessage(seq, msg("sensors/" + i + "/temp", qos, false, "m" + i, new byte[0]), qos, false,
                    i % 3 == 0 ? List.of(7) : List.of(7, 9), packetId, state));
        }
        assertThat(alpha).containsExactlyElementsOf(expectedAlpha);
        assertThat(store.messages().stats("alpha")).isEqualTo(new QueueStats(8, 17));

        // beta got the messages not divisible by 3, at QoS 1; its first (7) was removed
        List<QueuedMessage> beta = store.messages().read("beta", 0, 100);
        assertThat(beta).extracting(QueuedMessage::seq).containsExactly(9L, 12L, 14L, 17L, 19L, 22L);
        assertThat(beta).extracting(q -> q.message().topic()).containsExactly("sensors/2/temp", "sensors/4/temp", "sensors/5/temp",
                "sensors/7/temp", "sensors/8/temp", "sensors/10/temp");
        assertThat(beta).allSatisfy(q -> {
            assertThat(q.qos()).isEqualTo(1);
            assertThat(q.message().qos()).isIn(1, 2);
            assertThat(q.subscriptionIds()).isEmpty();
            assertThat(q.state()).isEqualTo(InflightState.QUEUED);
        });
        assertThat(store.messages().stats("beta")).isEqualTo(new QueueStats(6, 13));

        byte[] big = new byte[20_000];
        Arrays.fill(big, (byte) 'z');
        assertThat(store.messages().read("gamma", 0, 100)).containsExactly(
                new QueuedMessage(23, new StoredMessage("big", 1, false, big, new byte[0], T, T + 86_400_000), 1, false, List.of(), 0,
                        InflightState.QUEUED),
                new QueuedMessage(24, msg("last", 2, false, "the last change", new byte[0]), 2, false, List.of(5), 0,
                        InflightState.QUEUED));
        assertThat(store.messages().stats("gamma")).isEqualTo(new QueueStats(2, 20_015));

        assertThat(store.messages().incomingQos2("alpha")).containsExactly(3, 65535);
        assertThat(store.messages().incomingQos2("beta")).isEqualTo(Set.of(1));
        assertThat(store.messages().incomingQos2("gamma")).isEmpty();
    }

    @Test
    void aSecondStartOpensTheConvertedFileAndDoesNotConvertAgain() throws IOException {
        Path file = fixture("clean");
        try (Store store = open(file)) {
            store.messages().remove("alpha", 6);
        }
        List<Path> kept = siblings(file, "volantmq.mapdb.mapdb3-");
        events.list.clear();
        try (Store store = open(file)) {
            assertThat(store.messages().read("alpha", 0, 100)).extracting(QueuedMessage::seq)
                    .containsExactly(10L, 11L, 15L, 16L, 18L, 20L, 21L);
            assertThat(store.sessions().get("gamma")).isPresent();
        }
        assertThat(siblings(file, "volantmq.mapdb.")).isEqualTo(kept);
        assertThat(events.list).noneMatch(e -> e.getFormattedMessage().contains("convert"));
    }

    /** A broker of the earlier version still running on the file holds MapDB's lock on it. */
    @Test
    void anOldFileInUseIsRefusedAndLeftAsItWas() throws IOException {
        Path file = fixture("clean");
        byte[] before = Files.readAllBytes(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            assertThatThrownBy(() -> open(file)).isInstanceOf(PersistenceException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("in use by another process");
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (Stream<Path> all = Files.list(file.getParent())) {
            assertThat(all.map(p -> p.getFileName().toString())).containsExactly("volantmq.mapdb");
        }
        try (Store store = open(file)) {
            assertConvertedContent(store);
        }
    }

    /** A crash after the old file was renamed and before the converted one took its place. */
    @Test
    void aConversionInterruptedBeforeTheNewFileTookItsPlaceIsFinished() throws IOException {
        Path file = fixture("clean");
        try (Store store = open(file)) {
            assertThat(store.sessions().get("alpha")).isPresent();
        }
        Files.move(file, file.resolveSibling("volantmq.mapdb" + LegacyMapDbFile.CONVERTED_SUFFIX));
        events.list.clear();
        try (Store store = open(file)) {
            assertConvertedContent(store);
        }
        assertThat(file.resolveSibling("volantmq.mapdb" + LegacyMapDbFile.CONVERTED_SUFFIX)).doesNotExist();
        assertThat(events.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("finished a conversion"));
    }

    /**
     * One record the old file cannot give (the format byte of the 20 KB message's value is garbled)
     * while every other reads fine: nothing is loaded, and the old file is moved aside unchanged.
     */
    @Test
    void aFileWithOneUnreadableRecordIsMovedAsideWholeAndTheStoreStartsEmpty() throws IOException {
        Path file = fixture("clean");
        byte[] bytes = Files.readAllBytes(file);
        int payload = indexOf(bytes, "z".repeat(100).getBytes(StandardCharsets.US_ASCII));
        // [3][packed length][RecordCodec value: 3, kind, topic "big", ...] precedes the payload
        int format = payload - 39;
        assertThat(bytes[format]).as("the value's format byte").isEqualTo((byte) 3);
        bytes[format] = 9;
        Files.write(file, bytes);
        assertMovedAsideUnreadable(file, bytes, "unknown format 9");
    }

    /** The journal moves with it (here one whose commit was applied: its magic zeroed). */
    @Test
    void aFileWithABrokenHeaderIsMovedAsideWithItsJournalAndTheStoreStartsEmpty() throws IOException {
        Path file = fixture("clean");
        Files.write(file.resolveSibling("volantmq.mapdb.journal"), new byte[64]);
        byte[] bytes = Files.readAllBytes(file);
        for (int i = 8; i < 4096; i++) {
            bytes[i] ^= 0x5A;
        }
        Files.write(file, bytes);
        assertMovedAsideUnreadable(file, bytes, "MapDB cannot open it");
        assertThat(siblings(file, "volantmq.mapdb.damaged-")).hasSize(2).last().satisfies(p -> assertThat(p).hasFileName(
                siblings(file, "volantmq.mapdb.damaged-").get(0).getFileName() + ".journal"));
    }

    private void assertMovedAsideUnreadable(Path file, byte[] damaged, String why) throws IOException {
        try (Store store = open(file)) {
            assertThat(store.sessions().get("alpha")).isEmpty();
            assertThat(store.messages().read("alpha", 0, 10)).isEmpty();
            assertThat(store.retained().count()).isZero();
            store.sessions().put(new SessionState("new", 5, 60, 0, null, 0));
        }
        Path moved = siblings(file, "volantmq.mapdb.damaged-").get(0);
        assertThat(Files.readAllBytes(moved)).as("old file moved aside unchanged").isEqualTo(damaged);
        assertThat(siblings(file, "volantmq.mapdb.mapdb3-")).isEmpty();
        assertThat(events.list).filteredOn(e -> e.getLevel() == Level.ERROR)
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains(file.toString()).contains("MapDB 3 file")
                        .contains("cannot be converted").contains(why).contains(moved.toString()))
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("NOTHING of the old MapDB file")
                        .contains("volantmq.persistence.mapdb.path=" + moved));
        assertThat(events.list).noneMatch(e -> e.getFormattedMessage().contains("converted the MapDB file"));
        try (Stream<Path> all = Files.list(file.getParent())) {
            assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".convert"));
        }
        events.list.clear();
        try (Store store = open(file)) {
            assertThat(store.sessions().get("new")).isPresent();
        }
        assertThat(events.list).noneMatch(e -> e.getLevel() == Level.ERROR);
    }

    private static List<Path> siblings(Path file, String prefix) throws IOException {
        try (Stream<Path> all = Files.list(file.getParent())) {
            return all.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
