package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.QueueEntry;
import io.volantmq.persistence.codec.RecordCodec;
import io.volantmq.persistence.codec.RecordReader;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads stored values: the current {@link RecordCodec} format, and format 1, this backend's own layout before
 * it, so stores written by earlier versions still open. Nothing writes format 1 any more; a value is rewritten
 * in the current format when it next changes. Format 1 kept the client id and the filter in the key only,
 * hence those parameters.
 */
final class Values {
    private Values() {
    }

    static StoredMessage message(byte[] value) {
        return RecordCodec.message(value, (in, format) -> message(in));
    }

    /** A session; the owner was an optional tail (length + UTF-8) that values from before owners lack. */
    static SessionState session(String clientId, byte[] value) {
        return RecordCodec.session(value, (in, format) -> {
            int protocolVersion = in.u8();
            long expiry = in.i64();
            long disconnectedAt = in.i64();
            long willDelay = in.i64();
            StoredMessage will = null;
            if (in.bool()) {
                if (in.u8() != 1) {
                    throw in.corrupt("will in an unknown format");
                }
                will = message(in);
            }
            String owner = in.remaining() > 0 ? in.string() : null;
            in.end();
            return new SessionState(clientId, protocolVersion, expiry, disconnectedAt, will, willDelay, owner);
        });
    }

    static OrderedSubscription subscription(String filter, byte[] value) {
        return RecordCodec.subscription(value, (in, format) -> {
            long order = in.i64();
            StoredSubscription s = new StoredSubscription(filter, in.u8(), in.bool(), in.bool(), in.u8(), in.i32());
            in.end();
            return new OrderedSubscription(order, s);
        });
    }

    static QueueEntry entry(byte[] value) {
        return RecordCodec.queueEntry(value, (in, format) -> {
            long bodyId = in.i64();
            int payloadLength = in.i32();
            int qos = in.u8();
            boolean retain = in.bool();
            var state = RecordCodec.state(in);
            int packetId = in.i32();
            int count = in.count(4);
            List<Integer> ids = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ids.add(in.i32());
            }
            in.end();
            return new QueueEntry(bodyId, payloadLength, qos, retain, ids, packetId, state);
        });
    }

    private static StoredMessage message(RecordReader in) {
        String topic = in.string();
        int qos = in.u8();
        boolean retain = in.bool();
        long created = in.i64();
        long expires = in.i64();
        byte[] properties = in.bytes();
        byte[] payload = in.bytes();
        return new StoredMessage(topic, qos, retain, payload, properties, created, expires);
    }
}
