package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.DBMaker;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.mapdb.serializer.SerializerArrayTuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
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
    final BTreeMap<Object[], MapDbSerializers.Subscription> subscriptions;
    final HTreeMap<String, StoredMessage> retained;
    /** Message bodies by id, stored once however many queues reference them. */
    final HTreeMap<Long, StoredMessage> bodies;
    /** How many queue entries reference each body. */
    final HTreeMap<Long, Integer> refs;
    /** (client id, seq) to the entry; a client's queue is a prefix range in seq order. */
    final BTreeMap<Object[], MapDbSerializers.Entry> queues;
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
     * Opens the file, creating it if missing. A file MapDB cannot read is moved aside with a
     * timestamp suffix, with its WAL files, and an empty store takes its place.
     */
    static MapDbFiles open(Path file) {
        createParent(file);
        if (Files.isDirectory(file)) {
            throw new PersistenceException("the mapdb file " + file + " is a directory");
        }
        try {
            return verified(file);
        } catch (DBException.FileLocked e) {
            throw new PersistenceException("the mapdb file " + file + " is in use by another store: " + e.getMessage(), e);
        } catch (RuntimeException | AssertionError e) {
            if (!damaged(e)) {
                throw new PersistenceException("cannot open the mapdb file " + file + ": " + e, e);
            }
            Path aside = moveAside(file);
            log.error("mapdb file {} is damaged and cannot be opened ({}); moved it to {} and starting with an empty store",
                    file, e.toString(), aside);
        }
        try {
            return verified(file);
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

    private static MapDbFiles verified(Path file) {
        DB db = DBMaker.fileDB(file.toFile())
                .transactionEnable()
                .fileChannelEnable()
                .make();
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

    /** Renames the file and its WAL files to {@code <name>.damaged-<timestamp>[...]}. */
    private static Path moveAside(Path file) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String name = file.getFileName().toString();
        String asideName = name + ".damaged-" + stamp;
        for (int n = 1; Files.exists(file.resolveSibling(asideName)); n++) {
            asideName = name + ".damaged-" + stamp + "-" + n;
        }
        Path aside = file.resolveSibling(asideName);
        try {
            List<Path> companions = new ArrayList<>();
            try (Stream<Path> siblings = Files.list(file.toAbsolutePath().getParent())) {
                siblings.filter(p -> p.getFileName().toString().startsWith(name + ".wal.")).forEach(companions::add);
            }
            Files.move(file, aside);
            for (Path wal : companions) {
                String suffix = wal.getFileName().toString().substring(name.length());
                Files.move(wal, file.resolveSibling(asideName + suffix));
            }
            return aside;
        } catch (IOException e) {
            throw new PersistenceException("the mapdb file " + file + " is damaged and cannot be moved to " + aside + ": " + e, e);
        }
    }
}
