package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.QueueEntry;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.CC;
import org.mapdb.DB;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.mapdb.StoreWAL;
import org.mapdb.serializer.SerializerArrayTuple;
import org.mapdb.volume.ByteArrayVol;
import org.mapdb.volume.FileChannelVol;
import org.mapdb.volume.Volume;
import org.mapdb.volume.VolumeFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.NavigableSet;

/**
 * A file of the MapDB version of this backend, opened with MapDB 3.1.0 exactly as that version
 * opened it (its collections, serializers and store settings), to be read once for conversion.
 * It is opened on a copy: MapDB writes to the file it opens, and the replayed journal is written
 * into it, while the old file must stay as it was.
 */
final class LegacyMapDb implements AutoCloseable {
    final DB db;
    final HTreeMap<String, SessionState> sessions;
    /** (client id, filter) to the subscription and the order it was first added in. */
    final BTreeMap<Object[], OrderedSubscription> subscriptions;
    final HTreeMap<String, StoredMessage> retained;
    final HTreeMap<Long, StoredMessage> bodies;
    final HTreeMap<Long, Integer> refs;
    /** (client id, seq) to the entry. */
    final BTreeMap<Object[], QueueEntry> queues;
    /** Client id to {entries, payload bytes}. */
    final HTreeMap<String, long[]> stats;
    /** (client id, packet id) of inbound QoS 2 messages awaiting PUBREL. */
    final NavigableSet<Object[]> qos2;
    /** The last id handed out for seqs, bodies and subscription order. */
    final Atomic.Long ids;
    /** What replaying the journal did, or null. */
    final String journalReplay;

    @SuppressWarnings("unchecked")
    private LegacyMapDb(DB db, String journalReplay) {
        this.db = db;
        this.journalReplay = journalReplay;
        sessions = db.hashMap("sessions", Serializer.STRING, LegacyRecords.SESSION).createOrOpen();
        subscriptions = db.treeMap("subscriptions", new SerializerArrayTuple(Serializer.STRING, Serializer.STRING),
                LegacyRecords.SUBSCRIPTION).createOrOpen();
        retained = db.hashMap("retained", Serializer.STRING, LegacyRecords.MESSAGE).counterEnable().createOrOpen();
        bodies = db.hashMap("bodies", Serializer.LONG, LegacyRecords.MESSAGE).createOrOpen();
        refs = db.hashMap("refs", Serializer.LONG, Serializer.INTEGER).createOrOpen();
        queues = db.treeMap("queues", new SerializerArrayTuple(Serializer.STRING, Serializer.LONG),
                LegacyRecords.ENTRY).createOrOpen();
        stats = db.hashMap("stats", Serializer.STRING, Serializer.LONG_ARRAY).createOrOpen();
        qos2 = (NavigableSet<Object[]>) (NavigableSet<?>) db.treeSet("qos2",
                new SerializerArrayTuple(Serializer.STRING, Serializer.INTEGER)).createOrOpen();
        ids = db.atomicLong("ids").createOrOpen();
    }

    /**
     * Opens {@code copy}, a copy of the old file, after replaying the commit {@code journal} (the
     * old file's journal) holds, if any.
     */
    static LegacyMapDb open(Path copy, Path journal) throws IOException {
        Volume volume = new FileChannelVol(copy.toFile(), false, 0L, CC.PAGE_SHIFT, 0L);
        DB db;
        String replay;
        try {
            replay = LegacyJournal.replay(journal, volume);
            volume.sync();
            db = openDb(copy.toString(), volume);
        } catch (IOException | RuntimeException | AssertionError e) {
            try {
                volume.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        try {
            return new LegacyMapDb(db, replay);
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
     * What the old version built: {@code DBMaker.fileDB(file).transactionEnable().make()} on
     * {@code volume}, with MapDB's write-ahead log in memory (MapDB 3.1.0 never reads it back when it
     * opens a file).
     */
    private static DB openDb(String name, Volume volume) {
        VolumeFactory volumes = new VolumeFactory() {
            private boolean handedOut;

            @Override
            public Volume makeVolume(String path, boolean readOnly, long fileLockWait, int sliceShift, long initSize,
                    boolean fixedSize) {
                if (!name.equals(path)) {
                    return new ByteArrayVol(sliceShift, initSize);
                }
                if (handedOut) {
                    throw new IllegalStateException("MapDB opened " + path + " twice");
                }
                handedOut = true;
                return volume;
            }

            @Override
            public boolean exists(String path) {
                return name.equals(path);
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
            return new DB(store, true, true, LegacyMapDb.class.getClassLoader(), 0);
        } catch (RuntimeException | AssertionError e) {
            try {
                store.close();
            } catch (RuntimeException | AssertionError closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    @Override
    public void close() {
        db.close();
    }
}
