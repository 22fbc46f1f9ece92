package io.volantmq.persistence.mapdb;

import org.mapdb.volume.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The redo journal ({@code <file>.journal}) the MapDB version of this backend kept next to its file,
 * read the way that version's recovery read it on open: a commit is first written whole to the
 * journal with a CRC32C and synced (from then on it is durable), then into the file, then the
 * journal's magic is zeroed. A process killed in between leaves a complete journal whose commit is
 * missing from the file, so it is replayed (the writes are idempotent); a journal cut short held a
 * commit that never returned and is ignored, as that version did.
 *
 * <p>Layout: magic {@code "VMQJRNL1"}, sequence, length to extend the file to, entry count, entry
 * bytes, then per entry type (1 data, 2 zeros), offset, length and the data, then the CRC32C of
 * everything before it.
 */
final class LegacyJournal {
    private static final Logger log = LoggerFactory.getLogger(LegacyJournal.class);

    static final long MAGIC = 0x564D514A524E4C31L;
    private static final int HEADER = 8 + 8 + 8 + 4 + 8;
    private static final int CHECKSUM = 4;
    private static final byte DATA = 1;
    private static final byte ZEROS = 2;
    private static final int ENTRY_HEADER = 1 + 8 + 4;

    private record Write(long offset, byte[] data, long length) {
    }

    private LegacyJournal() {
    }

    /**
     * Applies the commit {@code journal} holds, if it holds a complete one, to {@code volume} (a copy
     * of the old file, never the file itself); returns a line saying what was done, null when there
     * was nothing to do.
     *
     * @throws LegacyMapDbFile.Unreadable when a journal whose checksum matches does not add up
     */
    static String replay(Path journal, Volume volume) throws IOException {
        if (!Files.isRegularFile(journal)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(journal);
        ByteBuffer head = ByteBuffer.wrap(bytes);
        if (bytes.length < 8 || head.getLong(0) != MAGIC) {
            boolean zeroed = true;
            for (int i = 0; i < Math.min(8, bytes.length); i++) {
                zeroed &= bytes[i] == 0;
            }
            // zeroed: applied or never used; anything else was cut off within its magic
            return zeroed ? null : ignored(journal, "it is cut off within its first 8 bytes or is not a journal");
        }
        if (bytes.length < HEADER) {
            return ignored(journal, "only " + bytes.length + " of its " + HEADER + " header bytes were written");
        }
        long seq = head.getLong(8);
        long extendTo = head.getLong(16);
        int count = head.getInt(24);
        long entryBytes = head.getLong(28);
        long total = HEADER + entryBytes + CHECKSUM;
        if (entryBytes < 0 || count < 0 || extendTo < 0 || total > Integer.MAX_VALUE) {
            return ignored(journal, "its header is garbled");
        }
        if (total > bytes.length) {
            return ignored(journal, "only " + bytes.length + " of its " + total + " bytes were written");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, (int) total - CHECKSUM);
        if ((int) crc.getValue() != head.getInt((int) total - CHECKSUM)) {
            return ignored(journal, "its checksum does not match, so not all of it reached the disk");
        }
        List<Write> writes = parse(journal, bytes, count, entryBytes);
        if (extendTo > 0) {
            volume.ensureAvailable(extendTo);
        }
        long written = 0;
        for (Write w : writes) {
            if (w.data() != null) {
                volume.putData(w.offset(), w.data(), 0, w.data().length);
            } else {
                volume.clear(w.offset(), w.offset() + w.length());
            }
            written += w.length();
        }
        return "replayed commit #" + seq + " from " + journal + " (" + writes.size() + " writes, " + written
                + " bytes): it was durable but not yet written into the file when the previous version stopped";
    }

    private static String ignored(Path journal, String why) {
        log.warn("ignored the incomplete journal {} of the old MapDB file ({}): its commit had not become durable, "
                + "so the previous version never acknowledged it and it never reached the file", journal, why);
        return null;
    }

    private static List<Write> parse(Path journal, byte[] body, int count, long entryBytes) {
        ByteBuffer in = ByteBuffer.wrap(body, HEADER, (int) entryBytes);
        List<Write> writes = new ArrayList<>(Math.min(count, 1 << 16));
        for (int i = 0; i < count; i++) {
            if (in.remaining() < ENTRY_HEADER) {
                throw new LegacyMapDbFile.Unreadable("journal " + journal + ": entry " + i + " of " + count + " is cut off");
            }
            byte type = in.get();
            long offset = in.getLong();
            int length = in.getInt();
            if (offset < 0 || length < 0 || (type == DATA && in.remaining() < length) || (type != DATA && type != ZEROS)) {
                throw new LegacyMapDbFile.Unreadable("journal " + journal + ": entry " + i + " of " + count + " is garbled");
            }
            if (type == DATA) {
                byte[] data = new byte[length];
                in.get(data);
                writes.add(new Write(offset, data, length));
            } else {
                writes.add(new Write(offset, null, length));
            }
        }
        if (in.hasRemaining()) {
            throw new LegacyMapDbFile.Unreadable("journal " + journal + ": " + in.remaining() + " bytes after the last entry");
        }
        return writes;
    }
}
