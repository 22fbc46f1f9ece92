package io.volantmq.persistence.redis;

import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Walks a hash or set with HSCAN/SSCAN, one batch per call, visiting each batch with no
 * connection held (so a visitor may call the store). SCAN may return an element twice while the
 * server rehashes, so elements already seen are skipped; only their names are remembered.
 */
final class RedisScan {
    private static final int BATCH = 256;

    private RedisScan() {
    }

    static void hash(RedisStore store, String what, byte[] key, Consumer<Map.Entry<byte[], byte[]>> visitor) {
        Set<ByteBuffer> seen = new HashSet<>();
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        ScanParams params = new ScanParams().count(BATCH);
        do {
            byte[] from = cursor;
            ScanResult<Map.Entry<byte[], byte[]>> page = store.call(what, true, jedis -> jedis.hscan(key, from, params));
            for (Map.Entry<byte[], byte[]> entry : page.getResult()) {
                if (seen.add(ByteBuffer.wrap(entry.getKey()))) {
                    visitor.accept(entry);
                }
            }
            cursor = page.getCursorAsBytes();
        } while (!done(cursor));
    }

    static void set(RedisStore store, String what, byte[] key, Consumer<byte[]> visitor) {
        Set<ByteBuffer> seen = new HashSet<>();
        byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
        ScanParams params = new ScanParams().count(BATCH);
        do {
            byte[] from = cursor;
            ScanResult<byte[]> page = store.call(what, true, jedis -> jedis.sscan(key, from, params));
            List<byte[]> members = page.getResult();
            for (byte[] member : members) {
                if (seen.add(ByteBuffer.wrap(member))) {
                    visitor.accept(member);
                }
            }
            cursor = page.getCursorAsBytes();
        } while (!done(cursor));
    }

    /** True when the cursor is back at "0": the scan is complete. */
    private static boolean done(byte[] cursor) {
        return cursor.length == 1 && cursor[0] == '0';
    }
}
