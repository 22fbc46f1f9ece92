package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.StoreFiles;
import io.volantmq.persistence.codec.RecordCodec;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The store's file, an H2 MVStore, and its maps. Values are {@link RecordCodec} records; keys that
 * belong to a client are {@code <client id> NUL <rest>}, so a client's entries are one key range
 * (MQTT strings never hold U+0000 [MQTT-1.5.4-2]). Opening reads every record once, so damage shows
 * up here, where it can be handled, rather than in the middle of the broker's start-up.
 *
 * <p>Autocommit is off, and so is MVStore's commit once its write buffer fills: either could write
 * half of one SPI change, so only {@link MapDbStore} commits, between changes, and syncs right
 * after each commit.
 */
final class MapDbFiles {
    private static final Logger log = LoggerFactory.getLogger(MapDbFiles.class);

    /** Separates the client id from the rest of a key; sorts before every character a client id holds. */
    static final char SEPARATOR = '\u0000';
    /**
     * How long replaced chunks stay before their space is reused. MVStore's default (45 s) is for
     * writes not yet synced; this backend syncs every commit before the next one, so a chunk that
     * is no longer live is never needed after a crash. One second keeps a commit-per-change
     * workload's file to a few megabytes instead of hundreds.
     */
    static final int RETENTION_MS = 1_000;
    /** Chunks less full than this are rewritten by {@link #compactSome()}. */
    static final int COMPACT_FILL_RATE = 50;
    /** At most this many bytes moved per compaction step, so one step stays short. */
    static final int COMPACT_WRITE_BYTES = 1 << 20;

    final Path file;
    final MVStore mv;
    final MVMap<String, byte[]> sessions;
    /** client NUL filter to the subscription and the order it was first added in. */
    final MVMap<String, byte[]> subscriptions;
    final MVMap<String, byte[]> retained;
    /** Message bodies by id, stored once however many queues reference them. */
    final MVMap<Long, byte[]> bodies;
    /** How many queue entries reference each body, when more than one: a body without a count has one. */
    final MVMap<Long, Integer> refs;
    /** client NUL seq (19 digits, so keys sort by seq) to the entry. */
    final MVMap<String, byte[]> queues;
    /** Client id to {entries, payload bytes}. */
    final MVMap<String, long[]> stats;
    /** client NUL packet id (5 digits) of inbound QoS 2 messages awaiting PUBREL. */
    final MVMap<String, Boolean> qos2;
    /** "ids": the last id handed out for seqs, bodies and subscription order. */
    final MVMap<String, Long> meta;

    MapDbFiles(Path file, MVStore mv) {
        this.file = file;
        this.mv = mv;
        sessions = mv.openMap("sessions");
        subscriptions = mv.openMap("subscriptions");
        retained = mv.openMap("retained");
        bodies = mv.openMap("bodies");
        refs = mv.openMap("refs");
        queues = mv.openMap("queues");
        stats = mv.openMap("stats");
        qos2 = mv.openMap("qos2");
        meta = mv.openMap("meta");
    }

    static String key(String clientId, String rest) {
        return clientId + SEPARATOR + rest;
    }

    static String seqKey(String clientId, long seq) {
        String digits = Long.toString(seq);
        return clientId + SEPARATOR + "0".repeat(19 - digits.length()) + digits;
    }

    static long seqOf(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf(SEPARATOR) + 1));
    }

    static String restOf(String key) {
        return key.substring(key.indexOf(SEPARATOR) + 1);
    }

    static String clientOf(String key) {
        return key.substring(0, key.indexOf(SEPARATOR));
    }

    /** The entries of {@code clientId}, in key order: a view, read it under the store's lock. */
    static <V> Iterable<Map.Entry<String, V>> range(MVMap<String, V> map, String clientId) {
        String from = clientId + SEPARATOR;
        String to = clientId + '\u0001';
        return () -> new java.util.Iterator<>() {
            private final org.h2.mvstore.Cursor<String, V> cursor = map.cursor(from, null, false);
            private String next = advance();

            private String advance() {
                if (!cursor.hasNext()) {
                    return null;
                }
                String key = cursor.next();
                return key.compareTo(to) < 0 ? key : null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Map.Entry<String, V> next() {
                if (next == null) {
                    throw new java.util.NoSuchElementException();
                }
                Map.Entry<String, V> entry = Map.entry(next, cursor.getValue());
                next = advance();
                return entry;
            }
        };
    }

    /** The keys of {@code clientId}'s entries, copied. */
    static <V> List<String> keysOf(MVMap<String, V> map, String clientId) {
        List<String> keys = new java.util.ArrayList<>();
        range(map, clientId).forEach(e -> keys.add(e.getKey()));
        return keys;
    }

    /** Commits what changed and syncs the file, so the commit survives a power loss. */
    void commitDurably() {
        if (commit()) {
            mv.sync();
        }
    }

    /** Commits what changed: written to the file, not yet synced; false if nothing changed. */
    boolean commit() {
        if (!mv.hasUnsavedChanges()) {
            return false;
        }
        mv.commit();
        return true;
    }

    /**
     * Rewrites a bounded part of sparse chunks into new ones, so space reused after the retention
     * time is not held by a few live pages; synced like a commit.
     */
    void compactSome() {
        // the chunks' fill rate: live data in them (the file's own fill rate counts whole chunks)
        if (mv.getFileStore().getChunksFillRate() < COMPACT_FILL_RATE && mv.compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES)) {
            commitDurably();
        }
    }

    /**
     * Opens the file, creating it if missing. A file of the MapDB engine this backend had before is
     * first converted (see {@link LegacyMapDbFile}). A file MVStore cannot read is moved aside with a
     * timestamp suffix and an empty store takes its place.
     */
    static MapDbFiles open(Path file) {
        createParent(file);
        if (Files.isDirectory(file)) {
            throw new PersistenceException("the mapdb file " + file + " is a directory");
        }
        LegacyMapDbFile.finishInterrupted(file);
        if (LegacyMapDbFile.isMapDb(file)) {
            LegacyMapDbFile.convert(file);
        }
        try {
            return verified(file);
        } catch (RuntimeException | AssertionError e) {
            if (!damaged(e)) {
                throw new PersistenceException("cannot open the mapdb file " + file + ": " + MapDbStore.why(e), e);
            }
            StoreFiles.moveAside(file, "mapdb file", "cannot be opened: " + MapDbStore.why(e), List.of(), log);
        }
        try {
            return verified(file);
        } catch (RuntimeException e) {
            throw new PersistenceException("cannot create a new mapdb file at " + file + ": " + MapDbStore.why(e), e);
        }
    }

    /**
     * True for failures that come from the file's content. A locked file, a closed store or an
     * I/O error when writing say nothing about the content.
     */
    private static boolean damaged(Throwable e) {
        if (e instanceof MVStoreException m) {
            int code = m.getErrorCode();
            return code != DataUtils.ERROR_FILE_LOCKED && code != DataUtils.ERROR_WRITING_FAILED
                    && code != DataUtils.ERROR_CLOSED;
        }
        return !(e instanceof OutOfMemoryError);
    }

    private static MapDbFiles verified(Path file) {
        boolean existed = Files.exists(file);
        // no background commit, and no commit from inside a map write once ~19 MB are unsaved
        // (MVStore does that even with autocommit disabled unless the buffer size is 0)
        MVStore mv = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().autoCommitBufferSize(0).open();
        try {
            mv.setRetentionTime(RETENTION_MS);
            MapDbFiles files = new MapDbFiles(file, mv);
            files.readEverything();
            if (!existed) {
                files.commitDurably(); // the maps exist on disk from the start
            }
            return files;
        } catch (RuntimeException | AssertionError e) {
            try {
                mv.closeImmediately();
            } catch (RuntimeException | AssertionError closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Touches and decodes every record, so a broken page or value fails now. */
    private void readEverything() {
        long records = 0;
        for (byte[] v : sessions.values()) {
            RecordCodec.session(v);
            records++;
        }
        for (byte[] v : subscriptions.values()) {
            RecordCodec.subscription(v);
            records++;
        }
        for (byte[] v : retained.values()) {
            RecordCodec.message(v);
            records++;
        }
        for (byte[] v : bodies.values()) {
            RecordCodec.message(v);
            records++;
        }
        for (byte[] v : queues.values()) {
            RecordCodec.queueEntry(v);
            records++;
        }
        records += refs.values().stream().count() + stats.values().stream().count() + qos2.sizeAsLong();
        log.info("mapdb file {} open (H2 MVStore): {} records, {} sessions, {} retained, {} queue entries over {} message bodies",
                file, records, sessions.size(), retained.sizeAsLong(), queues.sizeAsLong(), bodies.sizeAsLong());
    }

    private static void createParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new PersistenceException("cannot create the directory of the mapdb file " + file + ": " + e, e);
        }
    }

    /** The first bytes of the file, fewer when it is shorter; none when it does not exist. */
    static byte[] head(Path file, int count) {
        if (!Files.isRegularFile(file)) {
            return new byte[0];
        }
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(count);
        } catch (IOException e) {
            throw new PersistenceException("cannot read the mapdb file " + file + ": " + e, e);
        }
    }
}
