package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.StoreFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * A file of the MapDB 3 engine this backend used before H2 MVStore (issue 16). MVStore cannot read
 * it and this version has no converter, so it is moved aside, never overwritten, with an ERROR
 * that says what is lost and how to get it back.
 */
final class LegacyMapDbFile {
    private static final Logger log = LoggerFactory.getLogger(LegacyMapDbFile.class);

    /**
     * MapDB 3's header: the first byte is its file marker ({@code 'J'}, 0x4A), the second the store
     * type every earlier version of this backend wrote (3). An MVStore file starts with {@code "H:2,"}.
     */
    private static final byte MARKER = 0x4A;
    private static final byte STORE_TYPE = 0x03;
    /** The journal earlier versions kept next to the file; moved with it. */
    static final String JOURNAL_SUFFIX = ".journal";

    private LegacyMapDbFile() {
    }

    static boolean isMapDb(Path file) {
        byte[] head = MapDbFiles.head(file, 2);
        return head.length == 2 && head[0] == MARKER && head[1] == STORE_TYPE;
    }

    /** Moves the MapDB file (and its journal) aside; returns where it went. */
    static Path moveAside(Path file) {
        Path aside = StoreFiles.moveAside(file, "mapdb file",
                "it is a MapDB 3 file from a VolantMQ version before the mapdb backend moved to the H2 MVStore engine, "
                        + "which cannot read it", List.of(JOURNAL_SUFFIX), log);
        log.error("mapdb file {}: the sessions, subscriptions, queued and retained messages of the old MapDB file {} are "
                + "NOT loaded; this version cannot convert it. To deliver them, stop this broker and run the previous "
                + "VolantMQ version with volantmq.persistence.mapdb.path={} until its clients have reconnected and drained "
                + "their queues, then start this version again (its new file at {} is kept); or delete {} if nothing in it "
                + "is needed", file, aside, aside, file, aside);
        return aside;
    }
}
