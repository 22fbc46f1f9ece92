package io.volantmq.persistence.mapdb;

import org.mapdb.CC;
import org.mapdb.DBException;
import org.mapdb.DataInput2;
import org.mapdb.volume.FileChannelVol;
import org.mapdb.volume.Volume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * The MapDB file behind a redo journal, which makes every MapDB commit atomic on disk.
 *
 * <p>Why: MapDB 3.1.0 with transactions ({@code StoreWAL}) commits by writing its write-ahead log,
 * then overwriting the header, index values, free-space stacks and records of the main file one
 * write at a time, then syncing the main file. It never replays that log when it opens a file
 * (and the log does not even hold the index values it would need), so a process killed between
 * the first and the last of those writes leaves a half-updated main file behind: MapDB then fails
 * to open it ({@code IndexOutOfBoundsException}, {@code VolumeIOError}) or, worse, opens it and
 * silently misses records that had been committed long before.
 *
 * <p>How: {@code StoreWAL} writes its main file only while committing (and once when it creates
 * the file), and ends each commit with {@link #sync()}. This volume holds those writes in memory,
 * where reads still see them, until {@code sync()}, which then
 * <ol>
 *   <li>writes all of them, with a CRC32C checksum, to {@code <file>.journal} and syncs it: this is
 *       the point at which the commit becomes durable;</li>
 *   <li>applies them to the main file and syncs it;</li>
 *   <li>marks the journal applied.</li>
 * </ol>
 * The main file therefore only ever changes by applying a complete, synced journal. When the file
 * is opened, after its lock is taken and before MapDB reads anything, a complete journal is applied
 * again (the writes are idempotent), and an incomplete one, left by a process that died while
 * writing it, is dropped: its commit had not returned, so it held nothing acknowledged and the
 * main file had not been touched by it. Either repair is logged at WARN.
 *
 * <p>A failure while writing the journal or the main file leaves this volume failed: every later
 * call throws, and the journal is kept so that the next open finishes or drops the commit.
 */
final class JournaledVolume extends Volume {
    private static final Logger log = LoggerFactory.getLogger(JournaledVolume.class);

    /** "VMQJRNL1": a journal that has not been applied yet, or is being written. */
    static final long MAGIC = 0x564D514A524E4C31L;
    /** magic, sequence, length to extend the file to, entry count, entry bytes. */
    static final int HEADER = 8 + 8 + 8 + 4 + 8;
    static final int CHECKSUM = 4;
    static final byte DATA = 1;
    static final byte ZEROS = 2;
    /** type, offset, length. */
    static final int ENTRY_HEADER = 1 + 8 + 4;
    /** A journal file left larger than this by a big commit is cut back once that commit is applied. */
    private static final long KEEP_JOURNAL_BYTES = 4L << 20;

    /** One pending write: {@code data} at {@code offset}, or {@code length} zero bytes when data is null. */
    private record Write(long offset, byte[] data, long length) {
        long end() {
            return offset + length;
        }
    }

    private final Path file;
    private final Path journalFile;
    private final Volume main;
    private final FileChannel journal;

    private final List<Write> pending = new ArrayList<>();
    /** The length {@code ensureAvailable} asked for beyond the file's current length. */
    private long pendingLength;
    private long pendingEnd;
    private volatile boolean dirty;
    private volatile Throwable failure;
    private long sequence;

    private JournaledVolume(Path file, Path journalFile, Volume main, FileChannel journal) {
        this.file = file;
        this.journalFile = journalFile;
        this.main = main;
        this.journal = journal;
    }

    static Path journalFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".journal");
    }

    /**
     * Opens (or creates) the file, taking MapDB's lock on it, then applies or drops the journal a
     * crash left behind.
     */
    static JournaledVolume open(Path file) {
        return open(file, UnaryOperator.identity());
    }

    /** As {@link #open(Path)}, with the main file's volume wrapped by {@code wrap}, for tests. */
    static JournaledVolume open(Path file, UnaryOperator<Volume> wrap) {
        Volume main = wrap.apply(new FileChannelVol(file.toFile(), false, 0L, CC.PAGE_SHIFT, 0L));
        Path journalFile = journalFile(file);
        FileChannel journal = null;
        try {
            journal = FileChannel.open(journalFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            JournaledVolume volume = new JournaledVolume(file, journalFile, main, journal);
            volume.recover();
            return volume;
        } catch (IOException e) {
            closeAfterFailedOpen(main, journal, e);
            throw ioError("recovering from the journal " + journalFile + " failed", e);
        } catch (RuntimeException | Error e) {
            closeAfterFailedOpen(main, journal, e);
            throw e;
        }
    }

    private static void closeAfterFailedOpen(Volume main, FileChannel journal, Throwable failure) {
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException closing) {
                failure.addSuppressed(closing);
            }
        }
        try {
            main.close();
        } catch (RuntimeException closing) {
            failure.addSuppressed(closing);
        }
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        long size = journal.size();
        if (size == 0) {
            return;
        }
        byte[] head = new byte[(int) Math.min(HEADER, size)];
        readFully(0, head);
        long magic = head.length >= 8 ? ByteBuffer.wrap(head).getLong(0) : 0;
        if (magic != MAGIC) {
            if (isZero(head, 0, Math.min(8, head.length))) {
                // applied (or never used): nothing to do
                resetJournal();
                return;
            }
            log.warn("mapdb file {}: dropped the journal {} ({} bytes): it is cut off within its first 8 bytes or is not a "
                    + "journal at all, so it holds no complete commit; the mapdb file was left as it was", file, journalFile, size);
            resetJournal();
            return;
        }
        String incomplete = null;
        long seq = 0;
        long extendTo = 0;
        int count = 0;
        long entryBytes = 0;
        if (head.length >= 16) {
            seq = ByteBuffer.wrap(head).getLong(8);
        }
        if (head.length < HEADER) {
            incomplete = "only " + size + " of its " + HEADER + " header bytes were written";
        } else {
            ByteBuffer h = ByteBuffer.wrap(head);
            seq = h.getLong(8);
            extendTo = h.getLong(16);
            count = h.getInt(24);
            entryBytes = h.getLong(28);
            long total = HEADER + entryBytes + CHECKSUM;
            if (entryBytes < 0 || count < 0 || extendTo < 0 || total > Integer.MAX_VALUE) {
                incomplete = "its header is garbled";
            } else if (total > size) {
                incomplete = "only " + size + " of its " + total + " bytes were written";
            }
        }
        if (incomplete != null) {
            dropIncomplete(seq, incomplete);
            return;
        }
        byte[] body = new byte[(int) (HEADER + entryBytes + CHECKSUM)];
        readFully(0, body);
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length - CHECKSUM);
        int stored = ByteBuffer.wrap(body).getInt(body.length - CHECKSUM);
        if ((int) crc.getValue() != stored) {
            dropIncomplete(seq, "its checksum does not match, so not all of it reached the disk");
            return;
        }
        List<Write> writes = parse(body, count, entryBytes);
        long bytes = 0;
        for (Write w : writes) {
            bytes += w.length();
        }
        applyToMain(extendTo, writes);
        main.sync();
        sequence = seq;
        resetJournal();
        log.warn("mapdb file {}: finished commit #{} (numbered within its run) from the journal {}: the commit had been "
                + "made durable, but the process stopped before it was completely written into the mapdb file; rewrote its "
                + "{} writes ({} bytes)", file, seq, journalFile, writes.size(), bytes);
    }

    private void dropIncomplete(long seq, String why) throws IOException {
        log.warn("mapdb file {}: dropped the incomplete journal {} of {} ({}): the process stopped before that commit "
                + "became durable, so it had not been acknowledged and had not touched the mapdb file, which keeps the "
                + "commits before it", file, journalFile, seq > 0 ? "commit #" + seq + " (numbered within its run)" : "a commit",
                why);
        resetJournal();
    }

    /** The entries of a journal whose checksum matched; a structure that does not add up is corruption. */
    private List<Write> parse(byte[] body, int count, long entryBytes) {
        ByteBuffer in = ByteBuffer.wrap(body, HEADER, (int) entryBytes);
        List<Write> writes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (in.remaining() < ENTRY_HEADER) {
                throw new DBException.DataCorruption("journal " + journalFile + ": entry " + i + " of " + count + " is cut off");
            }
            byte type = in.get();
            long offset = in.getLong();
            int length = in.getInt();
            if (offset < 0 || length < 0 || (type == DATA && in.remaining() < length) || (type != DATA && type != ZEROS)) {
                throw new DBException.DataCorruption("journal " + journalFile + ": entry " + i + " of " + count + " is garbled");
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
            throw new DBException.DataCorruption("journal " + journalFile + ": " + in.remaining() + " bytes after the last entry");
        }
        return writes;
    }

    /** After a journal was applied or dropped: empty it, durably, so it is not looked at again. */
    private void resetJournal() throws IOException {
        journal.truncate(0);
        journal.force(true);
    }

    // ---------------------------------------------------------------- commit

    @Override
    public synchronized void sync() {
        usable();
        if (!dirty) {
            main.sync();
            return;
        }
        long seq = sequence + 1;
        try {
            writeJournal(seq);
        } catch (IOException | RuntimeException | Error e) {
            throw failed("writing the journal " + journalFile + " for commit #" + seq, e);
        }
        try {
            applyToMain(pendingLength, pending);
            main.sync();
        } catch (RuntimeException | Error e) {
            throw failed("writing commit #" + seq + " into the mapdb file " + file + " (the journal " + journalFile
                    + " holds it and is applied on the next open)", e);
        }
        sequence = seq;
        pending.clear();
        pendingLength = 0;
        pendingEnd = 0;
        dirty = false;
        try {
            markApplied();
        } catch (IOException | RuntimeException e) {
            throw failed("marking commit #" + seq + " applied in the journal " + journalFile, e);
        }
    }

    private void writeJournal(long seq) throws IOException {
        long entryBytes = 0;
        for (Write w : pending) {
            entryBytes += ENTRY_HEADER + (w.data() != null ? w.length() : 0);
        }
        if (HEADER + entryBytes + CHECKSUM > Integer.MAX_VALUE) {
            // recovery reads a journal into one array
            throw new IOException("commit #" + seq + " is too large for the journal (" + entryBytes + " bytes)");
        }
        JournalOut out = new JournalOut(journal);
        out.putLong(MAGIC);
        out.putLong(seq);
        out.putLong(pendingLength);
        out.putInt(pending.size());
        out.putLong(entryBytes);
        for (Write w : pending) {
            out.put(w.data() != null ? DATA : ZEROS);
            out.putLong(w.offset());
            out.putInt((int) w.length());
            if (w.data() != null) {
                out.put(w.data());
            }
        }
        out.finish();
        journal.force(false);
    }

    private void applyToMain(long extendTo, List<Write> writes) {
        if (extendTo > 0) {
            main.ensureAvailable(extendTo);
        }
        for (Write w : writes) {
            if (w.data() != null) {
                main.putData(w.offset(), w.data(), 0, w.data().length);
            } else {
                main.clear(w.offset(), w.end());
            }
        }
    }

    private void markApplied() throws IOException {
        if (journal.size() > KEEP_JOURNAL_BYTES) {
            journal.truncate(0);
            return;
        }
        ByteBuffer zero = ByteBuffer.allocate(8);
        while (zero.hasRemaining()) {
            journal.write(zero, zero.position());
        }
    }

    /** Sequential writes to the journal from offset 0, buffered and checksummed. */
    private static final class JournalOut {
        private final FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private final CRC32C crc = new CRC32C();
        private long position;

        JournalOut(FileChannel channel) {
            this.channel = channel;
        }

        void put(byte b) throws IOException {
            room(1);
            buffer.put(b);
        }

        void putInt(int v) throws IOException {
            room(4);
            buffer.putInt(v);
        }

        void putLong(long v) throws IOException {
            room(8);
            buffer.putLong(v);
        }

        void put(byte[] data) throws IOException {
            if (data.length <= buffer.remaining()) {
                buffer.put(data);
                return;
            }
            flush();
            crc.update(data, 0, data.length);
            write(ByteBuffer.wrap(data));
        }

        void finish() throws IOException {
            flush();
            ByteBuffer sum = ByteBuffer.allocate(CHECKSUM).putInt((int) crc.getValue()).flip();
            write(sum);
        }

        private void room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        private void flush() throws IOException {
            buffer.flip();
            crc.update(buffer.duplicate());
            write(buffer);
            buffer.clear();
        }

        private void write(ByteBuffer data) throws IOException {
            while (data.hasRemaining()) {
                position += channel.write(data, position);
            }
        }
    }

    // ---------------------------------------------------------------- writes: held until sync()

    @Override
    public synchronized void ensureAvailable(long offset) {
        usable();
        if (offset > pendingLength && offset > main.length()) {
            pendingLength = offset;
            dirty = true;
        }
    }

    @Override
    public synchronized void truncate(long size) {
        usable();
        if (dirty) {
            sync();
        }
        try {
            // the journal must not be applied again over a shorter file
            journal.truncate(0);
            journal.force(true);
        } catch (IOException e) {
            throw failed("emptying the journal " + journalFile + " before truncating " + file, e);
        }
        main.truncate(size);
    }

    private synchronized void write(long offset, byte[] data) {
        usable();
        pending.add(new Write(offset, data, data.length));
        pendingEnd = Math.max(pendingEnd, offset + data.length);
        dirty = true;
    }

    @Override
    public void putLong(long offset, long value) {
        write(offset, ByteBuffer.allocate(8).putLong(value).array());
    }

    @Override
    public void putInt(long offset, int value) {
        write(offset, ByteBuffer.allocate(4).putInt(value).array());
    }

    @Override
    public void putByte(long offset, byte value) {
        write(offset, new byte[] {value});
    }

    @Override
    public void putData(long offset, byte[] src, int srcPos, int srcSize) {
        write(offset, Arrays.copyOfRange(src, srcPos, srcPos + srcSize));
    }

    @Override
    public void putData(long offset, ByteBuffer buf) {
        byte[] data = new byte[buf.remaining()];
        buf.get(data);
        write(offset, data);
    }

    @Override
    public synchronized void clear(long startOffset, long endOffset) {
        usable();
        if (endOffset <= startOffset) {
            return;
        }
        for (long from = startOffset; from < endOffset; from += Integer.MAX_VALUE) {
            long length = Math.min(Integer.MAX_VALUE, endOffset - from);
            pending.add(new Write(from, null, length));
        }
        pendingEnd = Math.max(pendingEnd, endOffset);
        dirty = true;
    }

    // ---------------------------------------------------------------- reads: the file, overlaid with pending writes

    @Override
    public long getLong(long offset) {
        if (!dirty) {
            usable();
            return main.getLong(offset);
        }
        return ByteBuffer.wrap(read(offset, 8)).getLong();
    }

    @Override
    public int getInt(long offset) {
        if (!dirty) {
            usable();
            return main.getInt(offset);
        }
        return ByteBuffer.wrap(read(offset, 4)).getInt();
    }

    @Override
    public byte getByte(long offset) {
        if (!dirty) {
            usable();
            return main.getByte(offset);
        }
        return read(offset, 1)[0];
    }

    @Override
    public DataInput2 getDataInput(long offset, int size) {
        if (!dirty) {
            usable();
            return main.getDataInput(offset, size);
        }
        return new DataInput2.ByteArray(read(offset, size));
    }

    @Override
    public void getData(long offset, byte[] bytes, int bytesPos, int size) {
        if (!dirty) {
            usable();
            main.getData(offset, bytes, bytesPos, size);
            return;
        }
        System.arraycopy(read(offset, size), 0, bytes, bytesPos, size);
    }

    private synchronized byte[] read(long offset, int size) {
        usable();
        byte[] out = new byte[size];
        long inFile = Math.min(size, main.length() - offset);
        if (inFile > 0) {
            main.getData(offset, out, 0, (int) inFile);
        }
        long end = offset + size;
        for (Write w : pending) {
            long from = Math.max(offset, w.offset());
            long to = Math.min(end, w.end());
            if (from >= to) {
                continue;
            }
            if (w.data() != null) {
                System.arraycopy(w.data(), (int) (from - w.offset()), out, (int) (from - offset), (int) (to - from));
            } else {
                Arrays.fill(out, (int) (from - offset), (int) (to - offset), (byte) 0);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- the rest

    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean clean = failure == null;
        if (!pending.isEmpty()) {
            // StoreWAL writes this volume only in commits, each ending with sync(): nothing acknowledged is here
            log.warn("mapdb file {}: closed with {} writes that were never committed; they are discarded", file, pending.size());
        }
        pending.clear();
        dirty = false;
        try {
            journal.close();
            if (clean) {
                Files.deleteIfExists(journalFile);
            }
        } catch (IOException e) {
            log.warn("mapdb file {}: closing the journal {} failed: {}", file, journalFile, e.toString());
        } finally {
            main.close();
        }
    }

    @Override
    public long length() {
        long length = main.length();
        if (!dirty) {
            return length;
        }
        synchronized (this) {
            return Math.max(length, Math.max(pendingLength, pendingEnd));
        }
    }

    @Override
    public int sliceSize() {
        return main.sliceSize();
    }

    @Override
    public boolean isSliced() {
        return main.isSliced();
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public File getFile() {
        return main.getFile();
    }

    @Override
    public boolean getFileLocked() {
        return main.getFileLocked();
    }

    private void usable() {
        Throwable cause = failure;
        if (cause != null) {
            throw new DBException.VolumeIOError("mapdb file " + file + " failed earlier and must be reopened: " + cause, cause);
        }
        if (closed.get()) {
            throw new DBException.VolumeClosed("mapdb file " + file + " is closed");
        }
    }

    /** Makes this volume unusable: what MapDB holds in memory no longer matches the file. */
    private RuntimeException failed(String what, Throwable cause) {
        failure = cause;
        log.error("mapdb file {}: {} failed; the store stops working until it is reopened", file, what, cause);
        if (cause instanceof ClosedByInterruptException) {
            return new DBException.VolumeClosedByInterrupt(cause);
        }
        if (cause instanceof IOException io) {
            return ioError(what + " failed", io);
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new DBException.VolumeIOError(what + " failed: " + cause, cause);
    }

    private static RuntimeException ioError(String what, IOException e) {
        if (e instanceof ClosedByInterruptException) {
            return new DBException.VolumeClosedByInterrupt(e);
        }
        return new DBException.VolumeIOError(what + ": " + e, e);
    }

    private void readFully(long position, byte[] into) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(into);
        while (buf.hasRemaining()) {
            int n = journal.read(buf, position + buf.position());
            if (n < 0) {
                throw new IOException("the journal " + journalFile + " ended early");
            }
        }
    }

    private static boolean isZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
