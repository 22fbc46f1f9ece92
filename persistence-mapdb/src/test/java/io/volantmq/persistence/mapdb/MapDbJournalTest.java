package io.volantmq.persistence.mapdb;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.DBException;
import org.mapdb.DataInput2;
import org.mapdb.volume.Volume;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static io.volantmq.persistence.contract.Fixtures.message;
import static io.volantmq.persistence.contract.Fixtures.randomBytes;
import static io.volantmq.persistence.contract.Fixtures.readAll;
import static io.volantmq.persistence.contract.Fixtures.session;
import static io.volantmq.persistence.contract.Fixtures.targets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A commit is all or nothing on disk, wherever a crash stops it: the journal of
 * {@link JournaledVolume} either finishes it on the next open or drops it whole.
 */
class MapDbJournalTest {
    private static final StoredMessage BIG = message("big", randomBytes(300_000, 7));

    @TempDir
    Path tempDir;

    private Path baseline;
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        events.start();
        logger(JournaledVolume.class).addAppender(events);
        logger(MapDbFiles.class).addAppender(events);
    }

    @AfterEach
    void releaseLogs() {
        logger(JournaledVolume.class).detachAppender(events);
        logger(MapDbFiles.class).detachAppender(events);
    }

    private static ch.qos.logback.classic.Logger logger(Class<?> type) {
        return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(type);
    }

    private static Store open(Path file) {
        return new MapDbProvider().open(new ProviderConfig("mapdb", Map.of("path", file.toString())));
    }

    /** A closed store with ten sessions, ten retained messages and a queue of three. */
    private Path baseline() {
        if (baseline == null) {
            baseline = tempDir.resolve("baseline").resolve("volantmq.mapdb");
            try (Store store = open(baseline)) {
                for (int i = 0; i < 10; i++) {
                    store.sessions().put(session("s" + i));
                    store.retained().put(message("r/" + i, "retained " + i));
                }
                for (int i = 0; i < 3; i++) {
                    store.messages().enqueue(message("q", "m" + i), targets("c1", "c2"));
                }
            }
        }
        return baseline;
    }

    private Path copyOfBaseline(String name) throws IOException {
        Path file = tempDir.resolve(name).resolve("volantmq.mapdb");
        Files.createDirectories(file.getParent());
        Files.copy(baseline(), file);
        return file;
    }

    /** The change every crash interrupts: one commit touching several collections and a linked record. */
    private static void change(Store store) {
        store.messages().enqueue(BIG, targets("c1", "c3"));
    }

    private static void assertBaseline(Store store) {
        for (int i = 0; i < 10; i++) {
            assertThat(store.sessions().get("s" + i)).contains(session("s" + i));
            assertThat(store.retained().get("r/" + i)).contains(message("r/" + i, "retained " + i));
        }
        assertThat(store.retained().count()).isEqualTo(10);
        assertThat(readAll(store, "c2")).extracting(QueuedMessage::message)
                .containsExactly(message("q", "m0"), message("q", "m1"), message("q", "m2"));
    }

    private static void assertChange(Store store, boolean present) {
        List<StoredMessage> c1 = readAll(store, "c1").stream().map(QueuedMessage::message).toList();
        if (present) {
            assertThat(c1).containsExactly(message("q", "m0"), message("q", "m1"), message("q", "m2"), BIG);
            assertThat(readAll(store, "c3")).extracting(QueuedMessage::message).containsExactly(BIG);
        } else {
            assertThat(c1).containsExactly(message("q", "m0"), message("q", "m1"), message("q", "m2"));
            assertThat(readAll(store, "c3")).isEmpty();
        }
    }

    /**
     * Runs {@link #change} on a copy of the baseline whose file "dies" at its {@code crashAt}-th
     * write: that write and every later one never reach the file, as with a kill -9. Returns
     * whether the crash happened (false once the commit needs fewer writes).
     */
    private boolean changeAndCrash(Path file, int crashAt) {
        AtomicReference<CrashingVolume> crashing = new AtomicReference<>();
        Store store = new MapDbStore(MapDbFiles.open(file, v -> {
            crashing.set(new CrashingVolume(v));
            return crashing.get();
        }), false);
        crashing.get().crashAt = crashAt;
        boolean crashed;
        try {
            change(store);
            crashed = false;
        } catch (PersistenceException e) {
            assertThat(crashing.get().crashed).as("failed without the injected crash: " + e).isTrue();
            crashed = true;
        } finally {
            store.close();
        }
        assertThat(crashing.get().crashed).isEqualTo(crashed);
        return crashed;
    }

    @Test
    void aCommitCutShortInTheFileIsFinishedFromTheJournal() throws IOException {
        int crashes = 0;
        for (int crashAt = 0; ; crashAt++) {
            Path file = copyOfBaseline("crash-" + crashAt);
            events.list.clear();
            boolean crashed = changeAndCrash(file, crashAt);
            if (crashed) {
                crashes++;
                assertThat(JournaledVolume.journalFile(file)).as("journal kept after the crash").isNotEmptyFile();
            }
            try (Store store = open(file)) {
                assertBaseline(store);
                assertChange(store, true);
            }
            if (crashed) {
                assertThat(events.list).as("crash at write " + crashAt).anySatisfy(e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.WARN);
                    assertThat(e.getFormattedMessage()).contains(file.toString()).contains("finished commit")
                            .contains(JournaledVolume.journalFile(file).toString());
                });
            }
            assertThat(events.list).noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("damaged"));
            assertThat(siblings(file)).containsExactly("volantmq.mapdb");
            if (!crashed) {
                break;
            }
        }
        // the header, index values, the free-space stacks and the records of the linked message
        assertThat(crashes).isGreaterThan(5);
    }

    @Test
    void anIncompleteJournalIsDroppedAndTheFileKeepsTheCommitBefore() throws IOException {
        // a crash at the first write to the file leaves a complete journal and an untouched file
        Path source = copyOfBaseline("source");
        assertThat(changeAndCrash(source, 0)).isTrue();
        byte[] journal = Files.readAllBytes(JournaledVolume.journalFile(source));
        byte[] before = Files.readAllBytes(source);
        assertThat(journal.length).isGreaterThan(BIG.payload().length);

        TreeSet<Integer> cuts = new TreeSet<>();
        for (int cut = 1; cut <= JournaledVolume.HEADER + JournaledVolume.ENTRY_HEADER + 2; cut++) {
            cuts.add(cut);
        }
        for (int cut = journal.length - 20; cut < journal.length; cut++) {
            cuts.add(cut);
        }
        for (int i = 1; i < 16; i++) {
            cuts.add(journal.length * i / 16);
        }
        for (int cut : cuts) {
            Path file = tempDir.resolve("cut-" + cut).resolve("volantmq.mapdb");
            Files.createDirectories(file.getParent());
            Files.write(file, before);
            Files.write(JournaledVolume.journalFile(file), java.util.Arrays.copyOf(journal, cut));
            events.list.clear();
            try (Store store = open(file)) {
                assertBaseline(store);
                assertChange(store, false);
            }
            assertThat(events.list).as("journal cut at " + cut + " of " + journal.length).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains(file.toString()).contains("dropped")
                        .contains(JournaledVolume.journalFile(file).toString());
            });
            assertThat(events.list).noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("damaged"));
        }

        // one flipped byte: the checksum gives it away
        Path flipped = tempDir.resolve("flipped").resolve("volantmq.mapdb");
        Files.createDirectories(flipped.getParent());
        Files.write(flipped, before);
        byte[] bad = journal.clone();
        bad[bad.length / 2] ^= 0x10;
        Files.write(JournaledVolume.journalFile(flipped), bad);
        events.list.clear();
        try (Store store = open(flipped)) {
            assertBaseline(store);
            assertChange(store, false);
        }
        assertThat(events.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("dropped").contains("checksum"));

        // and the complete journal is applied
        Path whole = tempDir.resolve("whole").resolve("volantmq.mapdb");
        Files.createDirectories(whole.getParent());
        Files.write(whole, before);
        Files.write(JournaledVolume.journalFile(whole), journal);
        try (Store store = open(whole)) {
            assertBaseline(store);
            assertChange(store, true);
        }
    }

    @Test
    void anAppliedJournalIsIgnored() throws IOException {
        Path file = copyOfBaseline("applied");
        // what a crash between two commits leaves: the last journal, marked applied
        byte[] applied = new byte[JournaledVolume.HEADER + 100];
        ByteBuffer.wrap(applied).putLong(8, 41);
        Files.write(JournaledVolume.journalFile(file), applied);
        events.list.clear();
        try (Store store = open(file)) {
            assertBaseline(store);
        }
        assertThat(events.list).noneSatisfy(e -> assertThat(e.getLevel()).isIn(Level.WARN, Level.ERROR));
        assertThat(siblings(file)).containsExactly("volantmq.mapdb");
    }

    @Test
    void cleanCloseLeavesOnlyTheFileAndLeftoverWalFilesAreRemoved() throws IOException {
        Path file = copyOfBaseline("wal");
        Files.write(file.resolveSibling("volantmq.mapdb.wal.0"), new byte[] {1, 2, 3});
        try (Store store = open(file)) {
            assertBaseline(store);
            change(store);
            assertThat(siblings(file)).containsExactly("volantmq.mapdb", "volantmq.mapdb.journal");
        }
        assertThat(siblings(file)).containsExactly("volantmq.mapdb");
        try (Store store = open(file)) {
            assertChange(store, true);
        }
    }

    @Test
    void aFailedVolumeIsOpenedAgainByTheNextCallWhichFinishesTheJournaledCommit() throws IOException {
        Path file = copyOfBaseline("failed");
        AtomicReference<CrashingVolume> crashing = new AtomicReference<>();
        Store store = new MapDbStore(MapDbFiles.open(file, v -> {
            crashing.set(new CrashingVolume(v));
            return crashing.get();
        }), false);
        try {
            crashing.get().crashAt = 2;
            assertThatThrownBy(() -> change(store)).isInstanceOf(PersistenceException.class)
                    .hasMessageContaining("mapdb file");
            // the store opens its file again (without the crashing volume) and the journal completes the commit
            assertBaseline(store);
            assertChange(store, true);
            store.sessions().put(session("later"));
            assertThat(store.sessions().get("later")).isPresent();
        } finally {
            store.close();
        }
        try (Store reopened = open(file)) {
            assertBaseline(reopened);
            assertChange(reopened, true);
            assertThat(reopened.sessions().get("later")).isPresent();
        }
    }

    @Test
    void readsSeeWritesBeforeTheyAreCommitted() throws IOException {
        Path file = tempDir.resolve("volume").resolve("plain");
        Files.createDirectories(file.getParent());
        JournaledVolume volume = JournaledVolume.open(file);
        try {
            assertThat(volume.length()).isZero();
            volume.ensureAvailable(4096);
            volume.putLong(16, 0x0102030405060708L);
            volume.putData(20, new byte[] {9, 9, 9, 9, 9, 9}, 1, 3);
            volume.clear(22, 24);
            assertThat(Files.size(file)).as("nothing reaches the file before sync").isZero();
            assertThat(volume.length()).isGreaterThanOrEqualTo(4096);
            assertThat(volume.getLong(16)).isEqualTo(0x0102030409090000L);
            assertThat(volume.getByte(100)).isZero();
            byte[] some = new byte[10];
            volume.getData(14, some, 0, 10);
            assertThat(some).containsExactly(0, 0, 1, 2, 3, 4, 9, 9, 0, 0);
            DataInput2 in = volume.getDataInput(16, 8);
            assertThat(in.readLong()).isEqualTo(0x0102030409090000L);
            volume.sync();
            assertThat(Files.size(file)).isGreaterThanOrEqualTo(4096);
        } finally {
            volume.close();
        }
        JournaledVolume again = JournaledVolume.open(file);
        try {
            assertThat(again.getLong(16)).isEqualTo(0x0102030409090000L);
        } finally {
            again.close();
        }
        assertThat(siblings(file)).containsExactly("plain");
    }

    private static List<String> siblings(Path file) throws IOException {
        try (Stream<Path> files = Files.list(file.getParent())) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The file's volume, dying at its {@code crashAt}-th change: from then on nothing reaches the
     * file, as if the process had been killed there.
     */
    private static final class CrashingVolume extends Volume {
        private final Volume file;
        int crashAt = -1;
        boolean crashed;
        private int writes;

        CrashingVolume(Volume file) {
            this.file = file;
        }

        private void change() {
            if (crashAt < 0) {
                return;
            }
            if (crashed || writes++ == crashAt) {
                crashed = true;
                throw new DBException.VolumeIOError(new IOException("injected crash at write " + crashAt));
            }
        }

        @Override
        public void ensureAvailable(long offset) {
            if (offset > file.length()) {
                change();
            }
            file.ensureAvailable(offset);
        }

        @Override
        public void truncate(long size) {
            change();
            file.truncate(size);
        }

        @Override
        public void putLong(long offset, long value) {
            change();
            file.putLong(offset, value);
        }

        @Override
        public void putInt(long offset, int value) {
            change();
            file.putInt(offset, value);
        }

        @Override
        public void putByte(long offset, byte value) {
            change();
            file.putByte(offset, value);
        }

        @Override
        public void putData(long offset, byte[] src, int srcPos, int srcSize) {
            change();
            file.putData(offset, src, srcPos, srcSize);
        }

        @Override
        public void putData(long offset, ByteBuffer buf) {
            change();
            file.putData(offset, buf);
        }

        @Override
        public void clear(long startOffset, long endOffset) {
            change();
            file.clear(startOffset, endOffset);
        }

        @Override
        public void sync() {
            if (crashed) {
                throw new DBException.VolumeIOError(new IOException("crashed"));
            }
            file.sync();
        }

        @Override
        public long getLong(long offset) {
            return file.getLong(offset);
        }

        @Override
        public int getInt(long offset) {
            return file.getInt(offset);
        }

        @Override
        public byte getByte(long offset) {
            return file.getByte(offset);
        }

        @Override
        public DataInput2 getDataInput(long offset, int size) {
            return file.getDataInput(offset, size);
        }

        @Override
        public void getData(long offset, byte[] bytes, int bytesPos, int size) {
            file.getData(offset, bytes, bytesPos, size);
        }

        @Override
        public void close() {
            file.close();
        }

        @Override
        public int sliceSize() {
            return file.sliceSize();
        }

        @Override
        public boolean isSliced() {
            return file.isSliced();
        }

        @Override
        public long length() {
            return file.length();
        }

        @Override
        public boolean isReadOnly() {
            return file.isReadOnly();
        }

        @Override
        public File getFile() {
            return file.getFile();
        }

        @Override
        public boolean getFileLocked() {
            return file.getFileLocked();
        }
    }
}
