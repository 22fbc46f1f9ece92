package io.volantmq.persistence.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Big-endian writes into a growing array; the counterpart of {@link RecordReader}. */
final class RecordWriter {
    private byte[] bytes;
    private int size;

    RecordWriter(int expected) {
        bytes = new byte[Math.max(16, expected)];
    }

    RecordWriter u8(int v) {
        ensure(1);
        bytes[size++] = (byte) v;
        return this;
    }

    RecordWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    RecordWriter i32(int v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    RecordWriter i64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    RecordWriter bytes(byte[] v) {
        i32(v.length);
        ensure(v.length);
        System.arraycopy(v, 0, bytes, size, v.length);
        size += v.length;
        return this;
    }

    RecordWriter string(String v) {
        return bytes(v.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toArray() {
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }

    private void ensure(int n) {
        if (size + n > bytes.length) {
            long wanted = Math.max((long) bytes.length * 2, (long) size + n);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("a record of " + wanted + " bytes is too large to store");
            }
            bytes = Arrays.copyOf(bytes, (int) wanted);
        }
    }
}
