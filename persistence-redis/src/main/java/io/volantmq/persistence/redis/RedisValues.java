package io.volantmq.persistence.redis;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.codec.CorruptRecordException;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.RecordCodec;
import io.volantmq.persistence.codec.RecordReader;

import java.nio.charset.StandardCharsets;

/**
 * Values of the key space: binary records in the shared {@link RecordCodec} format, names and numbers as
 * UTF-8 text. Records in format 1 and 2, this backend's own layout before the shared codec, are still read
 * and rewritten in the current format when they next change. A value that does not decode raises
 * {@link CorruptRecordException}, which the domains log and skip.
 */
final class RedisValues {
    private RedisValues() {
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static StoredMessage decodeMessage(byte[] bytes) {
        return RecordCodec.message(bytes, (in, format) -> {
            if (format != 1) {
                throw in.corrupt("unknown format " + format);
            }
            StoredMessage message = readMessage(in);
            in.end();
            return message;
        });
    }

    /** Format 1 was a session without owner, format 2 one with the owner at the end. */
    static SessionState decodeSession(byte[] bytes) {
        return RecordCodec.session(bytes, (in, format) -> {
            String clientId = in.string();
            int protocolVersion = in.i32();
            long expiry = in.i64();
            long disconnectedAt = in.i64();
            long willDelay = in.i64();
            StoredMessage will = in.bool() ? readMessage(in) : null;
            String owner = format == 2 ? in.string() : null;
            in.end();
            return new SessionState(clientId, protocolVersion, expiry, disconnectedAt, will, willDelay, owner);
        });
    }

    /** The order of subscriptions is kept in a sorted set beside them, so the record's order is 0. */
    static StoredSubscription decodeSubscription(byte[] bytes) {
        return RecordCodec.subscription(bytes, (in, format) -> {
            if (format != 1) {
                throw in.corrupt("unknown format " + format);
            }
            StoredSubscription s = new StoredSubscription(in.string(), in.u8(), in.bool(), in.bool(), in.u8(), in.i32());
            in.end();
            return new OrderedSubscription(0, s);
        }).subscription();
    }

    /** Format 1: topic, qos, retain, payload, properties, created, expires. */
    private static StoredMessage readMessage(RecordReader in) {
        String topic = in.string();
        int qos = in.u8();
        boolean retain = in.bool();
        byte[] payload = in.bytes();
        byte[] properties = in.bytes();
        return new StoredMessage(topic, qos, retain, payload, properties, in.i64(), in.i64());
    }
}
