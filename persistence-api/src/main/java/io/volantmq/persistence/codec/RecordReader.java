package io.volantmq.persistence.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked big-endian reads from one stored value. Every failure is a {@link CorruptRecordException}
 * naming the record kind, what was wrong and where; a length is checked against the bytes that are left
 * before anything is allocated, so a damaged length costs an exception, never gigabytes.
 */
public final class RecordReader {
    private final String kind;
    private final byte[] bytes;
    private int position;

    public RecordReader(String kind, byte[] bytes) {
        this.kind = kind;
        this.bytes = bytes;
    }

    public String kind() {
        return kind;
    }

    public int remaining() {
        return bytes.length - position;
    }

    public int u8() {
        need(1, "a byte");
        return bytes[position++] & 0xFF;
    }

    /** A byte that must be 0 or 1. */
    public boolean bool() {
        int b = u8();
        if (b > 1) {
            throw corrupt("flag byte " + b, position - 1);
        }
        return b == 1;
    }

    public int i32() {
        need(4, "an int");
        int v = ByteBuffer.wrap(bytes, position, 4).getInt();
        position += 4;
        return v;
    }

    public long i64() {
        need(8, "a long");
        long v = ByteBuffer.wrap(bytes, position, 8).getLong();
        position += 8;
        return v;
    }

    /** An int32 length, then that many bytes. */
    public byte[] bytes() {
        int at = position;
        int length = i32();
        if (length < 0 || length > remaining()) {
            throw corrupt("length " + length + " with " + remaining() + " bytes left", at);
        }
        byte[] out = new byte[length];
        System.arraycopy(bytes, position, out, 0, length);
        position += length;
        return out;
    }

    /** An int32 length, then that many bytes of UTF-8; malformed UTF-8 is damage, not replaced. */
    public String string() {
        int at = position;
        byte[] utf8 = bytes();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt("a string of " + utf8.length + " bytes that is not UTF-8", at);
        }
    }

    /**
     * An int32 count of elements of {@code elementSize} bytes each that follow; checked against what is
     * left, so a caller may size a collection by it.
     */
    public int count(int elementSize) {
        int at = position;
        int count = i32();
        if (count < 0 || (long) count * elementSize > remaining()) {
            throw corrupt("count " + count + " with " + remaining() + " bytes left", at);
        }
        return count;
    }

    /** Fails when bytes are left over: a value longer than its layout is as damaged as a shorter one. */
    public void end() {
        if (remaining() != 0) {
            throw corrupt(remaining() + " unexpected trailing bytes", position);
        }
    }

    /** The exception for damage found at the current position. */
    public CorruptRecordException corrupt(String problem) {
        return corrupt(problem, position);
    }

    private CorruptRecordException corrupt(String problem, int at) {
        return new CorruptRecordException(kind, problem + " at offset " + at + " of " + bytes.length + " bytes");
    }

    private void need(int n, String what) {
        if (remaining() < n) {
            throw corrupt("truncated: " + what + " needs " + n + " bytes, " + remaining() + " left");
        }
    }
}
