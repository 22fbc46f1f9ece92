package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.StoreFiles;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.QueueEntry;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.mapdb.StoreWAL;
import org.mapdb.serializer.SerializerArrayTuple;
import org.mapdb.volume.ByteArrayVol;
import org.mapdb.volume.Volume;
import org.mapdb.volume.VolumeFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The MapDB file and its collections. Opening reads every collection once, so damage shows up
 * here, where it can be handled, rather than in the middle of the broker's start-up.
 */
final class MapDbFiles {
    private static final Logger log = LoggerFactory.getLogger(MapDbFiles.class);

    final Path file;
    final DB db;
    final HTreeMap<String, SessionState> sessions;
    /** (client id, filter) to the subscription and the order it was first added in. */
    final BTreeMap<Object[], OrderedSubscription> subscriptions;
    final HTreeMap<String, StoredMessage> retained;
    /** Message bodies by id, stored once however many queues reference them. */
    final HTreeMap<Long, StoredMessage> bodies;
    /** How many queue entries reference each body. */
    final HTreeMap<Long, Integer> refs;
    /** (client id, seq) to the entry; a client's queue is a prefix range in seq order. */
    final BTreeMap<Object[], QueueEntry> queues;
    /** Client id to {entries, payload bytes}. */
    final HTreeMap<String, long[]> stats;
    /** (client id, packet id) of inbound QoS 2 messages awaiting PUBREL. */
    final NavigableSet<Object[]> qos2;
    /** The last id handed out for seqs, bodies and subscription order. */
    final Atomic.Long ids;

    @SuppressWarnings("unchecked")
    private MapDbFiles(Path file, DB db) {
        this.file = file;
        this.db = db;
        sessions = db.hashMap("sessions", Serializer.STRING, MapDbSerializers.SESSION).createOrOpen();
        subscriptions = db.treeMap("subscriptions", new SerializerArrayTuple(Serializer.STRING, Serializer.STRING),
                MapDbSerializers.SUBSCRIPTION).createOrOpen();
        retained = db.hashMap("retained", Serializer.STRING, MapDbSerializers.MESSAGE).counterEnable().createOrOpen();
        bodies = db.hashMap("bodies", Serializer.LONG, MapDbSerializers.MESSAGE).createOrOpen();
        refs = db.hashMap("refs", Serializer.LONG, Serializer.INTEGER).createOrOpen();
        queues = db.treeMap("queues", new SerializerArrayTuple(Serializer.STRING, Serializer.LONG),
                MapDbSerializers.ENTRY).createOrOpen();
        stats = db.hashMap("stats", Serializer.STRING, Serializer.LONG_ARRAY).createOrOpen();
        qos2 = (NavigableSet<Object[]>) (NavigableSet<?>) db.treeSet("qos2",
                new SerializerArrayTuple(Serializer.STRING, Serializer.INTEGER)).createOrOpen();
        ids = db.atomicLong("ids").createOrOpen();
    }

    /**
     * Opens the file, creating it if missing. A commit a crash interrupted is first finished or
     * dropped from the journal (see {@link JournaledVolume}). A file MapDB still cannot read is
     * moved aside with a timestamp suffix, with its companion files, and an empty store takes its
     * place.
     */
    static MapDbFiles open(Path file) {
        return open(file, UnaryOperator.identity());
    }

    /** As {@link #open(Path)}, with the file's volume wrapped by {@code wrap}, for tests. */
    static MapDbFiles open(Path file, UnaryOperator<Volume> wrap) {
        createParent(file);
        if (Files.isDirectory(file)) {
            throw new PersistenceException("the mapdb file " + file + " is a directory");
        }
        try {
            return verified(file, wrap);
        } catch (DBException.FileLocked e) {
            throw new PersistenceException("the mapdb file " + file + " is in use by another store: " + e.getMessage(), e);
        } catch (RuntimeException | AssertionError e) {
            if (!damaged(e)) {
                throw new PersistenceException("cannot open the mapdb file " + file + ": " + e, e);
            }
            StoreFiles.moveAside(file, "mapdb file", "cannot be opened: " + e, companionSuffixes(file), log);
        }
        try {
            return verified(file, wrap);
        } catch (RuntimeException e) {
            throw new PersistenceException("cannot create a new mapdb file at " + file + ": " + e, e);
        }
    }

    /**
     * True for failures that come from the file's content. A locked file, an interrupt or an I/O
     * error other than running into the end of a truncated file say nothing about the content.
     */
    private static boolean damaged(Throwable e) {
        if (e instanceof DBException.FileLocked || e instanceof DBException.Interrupted
                || e instanceof DBException.VolumeClosedByInterrupt || e instanceof DBException.OutOfMemory) {
            return false;
        }
        if (e instanceof DBException.VolumeIOError) {
            return e.getCause() instanceof EOFException;
        }
        return true;
    }

    private static MapDbFiles verified(Path file, UnaryOperator<Volume> wrap) {
        JournaledVolume volume = JournaledVolume.open(file, wrap);
        DB db;
        try {
            removeLeftoverWal(file);
            db = openDb(file, volume);
        } catch (RuntimeException | AssertionError e) {
            try {
                volume.close();
            } catch (RuntimeException | AssertionError closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        try {
            MapDbFiles files = new MapDbFiles(file, db);
            files.readEverything();
            return files;
        } catch (RuntimeException | AssertionError e) {
            try {
                db.close();
            } catch (RuntimeException | AssertionError closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * What {@code DBMaker.fileDB(file).transactionEnable().make()} builds, except that the file is
     * {@code volume}, and MapDB's write-ahead log lives in memory. MapDB 3.1.0 uses that log only
     * to stage a commit's records until it writes them into the file, and never reads it back when
     * opening a file; the journal of {@link JournaledVolume} is what makes commits survive a crash.
     */
    private static DB openDb(Path file, JournaledVolume volume) {
        String name = file.toString();
        boolean existed = volume.length() > 0;
        VolumeFactory volumes = new VolumeFactory() {
            private boolean handedOut;

            @Override
            public Volume makeVolume(String path, boolean readOnly, long fileLockWait, int sliceShift, long initSize,
                    boolean fixedSize) {
                if (!name.equals(path)) {
                    return new ByteArrayVol(sliceShift, initSize);
                }
                if (handedOut) {
                    throw new IllegalStateException("MapDB opened the mapdb file " + path + " twice");
                }
                handedOut = true;
                return volume;
            }

            @Override
            public boolean exists(String path) {
                return name.equals(path) && existed;
            }

            @Override
            public boolean handlesReadonly() {
                return false;
            }
        };
        // the defaults of DBMaker: concurrency scale 8, no allocation settings, no file lock wait,
        // thread safe, no checksums (StoreWAL has none), header checksum checked
        StoreWAL store = StoreWAL.make(name, volumes, 0L, true, 3, 0L, 0L, false, false, false, true, false);
        try {
            return new DB(store, existed, true, MapDbFiles.class.getClassLoader(), 0);
        } catch (RuntimeException | AssertionError e) {
            try {
                store.close();
            } catch (RuntimeException | AssertionError closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * Removes {@code <file>.wal.N} files: MapDB 3.1.0 wrote them to disk in earlier versions of
     * this backend, and never reads them when opening a file.
     */
    private static void removeLeftoverWal(Path file) {
        for (Path wal : walFiles(file)) {
            try {
                Files.deleteIfExists(wal);
                log.info("mapdb file {}: removed {}, a write-ahead log file an earlier version left behind (MapDB never reads it back)",
                        file, wal);
            } catch (IOException e) {
                log.warn("mapdb file {}: cannot remove the leftover write-ahead log file {}: {}", file, wal, e.toString());
            }
        }
    }

    private static List<Path> walFiles(Path file) {
        String name = file.getFileName().toString();
        try (Stream<Path> siblings = Files.list(file.toAbsolutePath().getParent())) {
            return siblings.filter(p -> p.getFileName().toString().startsWith(name + ".wal.")).toList();
        } catch (IOException e) {
            throw new PersistenceException("cannot list the directory of the mapdb file " + file + ": " + e, e);
        }
    }

    /** Touches every record, so a broken tree or value fails now. */
    private void readEverything() {
        long records = 0;
        records += sessions.values().stream().count();
        records += subscriptions.values().stream().count();
        records += retained.values().stream().count();
        records += bodies.values().stream().count();
        records += refs.values().stream().count();
        records += queues.values().stream().count();
        records += stats.values().stream().count();
        records += qos2.size();
        log.info("mapdb file {} open: {} records, {} sessions, {} retained, {} queue entries over {} message bodies",
                file, records, sessions.size(), retained.sizeLong(), queues.sizeLong(), bodies.size());
    }

    private static void createParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new PersistenceException("cannot create the directory of the mapdb file " + file + ": " + e, e);
        }
    }

    /** The suffixes of the file's companions that exist: its journal, and WAL files an earlier version left. */
    private static List<String> companionSuffixes(Path file) {
        String name = file.getFileName().toString();
        List<String> suffixes = new ArrayList<>();
        for (Path wal : walFiles(file)) {
            suffixes.add(wal.getFileName().toString().substring(name.length()));
        }
        suffixes.add(JournaledVolume.journalFile(file).getFileName().toString().substring(name.length()));
        return suffixes;
    }
}
