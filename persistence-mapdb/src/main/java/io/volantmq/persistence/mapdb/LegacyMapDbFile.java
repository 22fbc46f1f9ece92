package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.StoreFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A file of the MapDB 3 engine this backend used before H2 MVStore (issue 16), which MVStore cannot
 * read. It is converted once, when the backend opens it: everything in it goes into a new MVStore
 * file, which then takes its place, and the old file (with its journal) is kept, renamed, never
 * changed or deleted.
 *
 * <p>All or nothing: the new file is written under a temporary name and only renamed into place
 * once it holds every record. If any record cannot be read, nothing is loaded: the old file is
 * moved aside unchanged, as a damaged file is, with an ERROR saying how to drain it with the previous
 * version, and the broker starts with an empty store. A broker that starts with part of its
 * sessions and queues, and says nothing, would lose the rest without anyone knowing; an empty store
 * with an ERROR and the old file intact lets the operator decide.
 *
 * <p>Steps, so a crash at any point loses nothing: (1) the old file is copied (MapDB writes to the
 * file it opens, and a journaled commit the old version had not yet written into the file is
 * replayed into the copy); (2) the copy is converted into {@code <file>.converting}, committed and
 * synced; (3) that is renamed to {@code <file>.converted}; (4) the old file and its companions are
 * renamed to {@code <file>.mapdb3-<timestamp>}; (5) {@code <file>.converted} is renamed to
 * {@code <file>}. A crash before (4) leaves the old file in place and the conversion runs again;
 * a crash between (4) and (5) is finished by {@link #finishInterrupted}.
 */
final class LegacyMapDbFile {
    private static final Logger log = LoggerFactory.getLogger(LegacyMapDbFile.class);

    /**
     * MapDB 3's header: the first byte is its file marker ({@code 'J'}, 0x4A), the second the store
     * type every earlier version of this backend wrote (3). An MVStore file starts with {@code "H:2,"}.
     */
    private static final byte MARKER = 0x4A;
    private static final byte STORE_TYPE = 0x03;
    /** The journal the MapDB version kept next to the file. */
    static final String JOURNAL_SUFFIX = ".journal";
    /** The copy of the old file the conversion reads. */
    static final String COPY_SUFFIX = ".converting-mapdb3";
    /** The new file while it is being written. */
    static final String CONVERTING_SUFFIX = ".converting";
    /** The new file once complete, until it takes the old file's place. */
    static final String CONVERTED_SUFFIX = ".converted";
    /** Where a converted old file is kept: {@code <file>.mapdb3-<UTC timestamp>}. */
    static final String KEPT_INFIX = ".mapdb3-";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** The old file cannot be read whole: damage, not a failure of this broker's disk. */
    static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message);
        }

        Unreadable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private LegacyMapDbFile() {
    }

    static boolean isMapDb(Path file) {
        byte[] head = MapDbFiles.head(file, 2);
        return head.length == 2 && head[0] == MARKER && head[1] == STORE_TYPE;
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    /**
     * A conversion that stopped after the old file was renamed and before the new one took its place
     * (step 4 and 5): finishes it. Nothing to do otherwise.
     */
    static void finishInterrupted(Path file) {
        Path converted = sibling(file, CONVERTED_SUFFIX);
        if (Files.exists(file) || !Files.isRegularFile(converted)) {
            return;
        }
        moveIntoPlace(file);
        log.info("mapdb file {}: finished a conversion from the old MapDB file that was interrupted: moved {} into place",
                file, converted);
    }

    /** Step 5: the converted file takes the old one's place. */
    private static void moveIntoPlace(Path file) {
        Path converted = sibling(file, CONVERTED_SUFFIX);
        try {
            Files.move(converted, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PersistenceException("mapdb file " + file + ": cannot move the file converted from the old MapDB file, "
                    + converted + ", into place (the next start does it): " + e, e);
        }
    }

    /**
     * Converts the old file at {@code file} into an MVStore file at the same path, keeping the old
     * one renamed; or, when it cannot be read whole, moves it aside with an ERROR and leaves no file
     * at {@code file}.
     */
    static void convert(Path file) {
        long started = System.nanoTime();
        Path copy = sibling(file, COPY_SUFFIX);
        Path converting = sibling(file, CONVERTING_SUFFIX);
        Path converted = sibling(file, CONVERTED_SUFFIX);
        MapDbConverter.Counts counts;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock lock = lockOrRefuse(file, channel)) {
            // leftovers of a conversion a crash stopped: the old file is still in place, so they are redone
            deleteIfExists(copy, converting, converted);
            Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
            counts = MapDbConverter.convert(copy, sibling(file, JOURNAL_SUFFIX), converting);
            Files.move(converting, converted, StandardCopyOption.ATOMIC_MOVE);
        } catch (Unreadable e) {
            deleteQuietly(copy, converting, converted);
            moveAsideUnreadable(file, e);
            return;
        } catch (PersistenceException e) {
            deleteQuietly(copy, converting, converted);
            throw e;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(copy, converting, converted);
            throw new PersistenceException("mapdb file " + file + ": converting the old MapDB file failed, it is left as it "
                    + "was and converted again by the next start: " + MapDbStore.why(e), e);
        } finally {
            deleteQuietly(copy);
        }
        List<Path> kept = keepOld(file);
        moveIntoPlace(file);
        long millis = (System.nanoTime() - started) / 1_000_000;
        log.info("mapdb file {}: converted the MapDB file of the earlier version to H2 MVStore in {} ms: {} sessions, "
                + "{} subscriptions, {} retained messages, {} queued messages over {} message bodies, {} inbound QoS 2 packet "
                + "ids{}; the old file is kept unchanged as {} (delete it once this version runs as expected)", file, millis,
                counts.sessions(), counts.subscriptions(), counts.retained(), counts.queued(), counts.bodies(), counts.qos2(),
                counts.journal() == null ? "" : "; " + counts.journal(), kept);
    }

    /**
     * The lock MapDB took on its file: a broker of the earlier version still running on it would go on
     * changing it during and after the conversion.
     */
    private static FileLock lockOrRefuse(Path file, FileChannel channel) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new PersistenceException("the mapdb file " + file + " is an old MapDB file in use by another process (a "
                    + "broker of the earlier version?); stop it, then start this version to convert the file");
        }
        return lock;
    }

    /**
     * Renames the old file, then its companions, to {@code <file>.mapdb3-<timestamp>[suffix]}. The
     * file goes first: until it has moved, the next start converts it again, with its journal still
     * beside it; once it has, the conversion stands, and a companion that cannot be renamed is only
     * left where it was (this version never reads it).
     */
    private static List<Path> keepOld(Path file) {
        String base = file.getFileName() + KEPT_INFIX + STAMP.format(java.time.Instant.now());
        String name = base;
        for (int n = 1; Files.exists(file.resolveSibling(name)); n++) {
            name = base + "-" + n;
        }
        List<String> companions = companionSuffixes(file);
        List<Path> kept = new ArrayList<>();
        try {
            kept.add(Files.move(file, file.resolveSibling(name)));
        } catch (IOException e) {
            throw new PersistenceException("mapdb file " + file + " was converted to " + sibling(file, CONVERTED_SUFFIX)
                    + " but the old MapDB file cannot be renamed to " + file.resolveSibling(name) + ": " + e
                    + "; the next start converts it again", e);
        }
        for (String suffix : companions) {
            Path from = sibling(file, suffix);
            if (Files.exists(from)) {
                try {
                    kept.add(Files.move(from, file.resolveSibling(name + suffix)));
                } catch (IOException e) {
                    log.warn("mapdb file {}: cannot rename {}, which belongs to the converted old MapDB file, to {}: {}; "
                            + "it is left where it is and not read again", file, from, file.resolveSibling(name + suffix),
                            e.toString());
                }
            }
        }
        return kept;
    }

    /** Moves the old file (and its journal) aside unchanged, with an ERROR saying what is lost and how to get it back. */
    private static void moveAsideUnreadable(Path file, Unreadable why) {
        Path aside = StoreFiles.moveAside(file, "mapdb file",
                "it is a MapDB 3 file from a VolantMQ version before the mapdb backend moved to the H2 MVStore engine, "
                        + "and it cannot be converted: " + why.getMessage(), companionSuffixes(file), log);
        log.error("mapdb file {}: NOTHING of the old MapDB file {} is loaded (not even the part that could be read, so "
                + "that no session starts with part of its state); it is kept unchanged. If the previous VolantMQ version "
                + "can still open it, stop this broker and run that version with volantmq.persistence.mapdb.path={} until its "
                + "clients have reconnected and drained their queues, then start this version again (its new file at {} is "
                + "kept); or delete {} if nothing in it is needed", file, aside, aside, file, aside, why);
    }

    /** The journal, and {@code .wal.N} files MapDB left in even earlier versions (never read back). */
    private static List<String> companionSuffixes(Path file) {
        String name = file.getFileName().toString();
        List<String> suffixes = new ArrayList<>();
        suffixes.add(JOURNAL_SUFFIX);
        try (Stream<Path> siblings = Files.list(file.toAbsolutePath().getParent())) {
            siblings.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(name + ".wal."))
                    .forEach(n -> suffixes.add(n.substring(name.length())));
        } catch (IOException e) {
            throw new PersistenceException("cannot list the directory of the mapdb file " + file + ": " + e, e);
        }
        return suffixes;
    }

    private static void deleteIfExists(Path... files) throws IOException {
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
    }

    private static void deleteQuietly(Path... files) {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                log.warn("cannot remove {}, left by converting an old MapDB file: {}", f, e.toString());
            }
        }
    }
}
