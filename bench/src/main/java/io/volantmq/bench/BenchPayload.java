package io.volantmq.bench;

/**
 * What every benchmark message carries at the start of its payload, big-endian: the stream id (4
 * bytes), the sequence number within the stream (8) and the send time from {@link System#nanoTime()}
 * (8). The rest of the payload is zero filler. All clients live in one JVM, so send and receive times
 * share one clock.
 */
final class BenchPayload {
    static final int HEADER_SIZE = 20;

    private BenchPayload() {
    }

    static void write(byte[] payload, int streamId, long seq, long sentNanos) {
        putInt(payload, 0, streamId);
        putLong(payload, 4, seq);
        putLong(payload, 12, sentNanos);
    }

    static boolean readable(byte[] payload) {
        return payload.length >= HEADER_SIZE;
    }

    static int streamId(byte[] payload) {
        return (payload[0] & 0xff) << 24 | (payload[1] & 0xff) << 16 | (payload[2] & 0xff) << 8 | payload[3] & 0xff;
    }

    static long seq(byte[] payload) {
        return getLong(payload, 4);
    }

    static long sentNanos(byte[] payload) {
        return getLong(payload, 12);
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }
}
