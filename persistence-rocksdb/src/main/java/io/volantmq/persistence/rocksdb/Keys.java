package io.volantmq.persistence.rocksdb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Key layouts. Per-client keys start with the client id's length, so no client's keys fall inside
 * another's range ("a" versus "ab"); numbers are big-endian so the bytewise comparator iterates
 * a client's queue in seq order.
 */
final class Keys {
    private Keys() {
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** {@code [int32 length][client id]}: the prefix of every key of one client. */
    static byte[] client(String clientId) {
        byte[] id = utf8(clientId);
        return ByteBuffer.allocate(4 + id.length).putInt(id.length).put(id).array();
    }

    /** The smallest key greater than every key that starts with {@code prefix}. */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length);
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        throw new IllegalArgumentException("no key follows a prefix of 0xFF bytes");
    }

    static byte[] id(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    static long id(byte[] key) {
        return ByteBuffer.wrap(key).getLong();
    }

    /** A queue entry: client prefix + seq. Seqs are positive, so signed and bytewise order agree. */
    static byte[] entry(String clientId, long seq) {
        byte[] prefix = client(clientId);
        return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(seq).array();
    }

    static long seqOfEntry(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
    }

    static byte[] subscription(String clientId, String filter) {
        byte[] prefix = client(clientId);
        byte[] f = utf8(filter);
        return ByteBuffer.allocate(prefix.length + f.length).put(prefix).put(f).array();
    }

    static String clientOf(byte[] key) {
        int length = ByteBuffer.wrap(key).getInt();
        return new String(key, 4, length, StandardCharsets.UTF_8);
    }

    static String filterOf(byte[] key) {
        int length = ByteBuffer.wrap(key).getInt();
        return new String(key, 4 + length, key.length - 4 - length, StandardCharsets.UTF_8);
    }

    static byte[] qos2(String clientId, int packetId) {
        byte[] prefix = client(clientId);
        return ByteBuffer.allocate(prefix.length + 4).put(prefix).putInt(packetId).array();
    }

    static int packetIdOf(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 4, 4).getInt();
    }
}
