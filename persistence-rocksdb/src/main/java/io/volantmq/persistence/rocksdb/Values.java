package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.QueueEntry;
import io.volantmq.persistence.codec.RecordCodec;
import io.volantmq.persistence.codec.RecordReader;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * The first byte of a queue entry that holds its message inline: {@code [0][int32 n][n bytes: the entry's
     * record, body id 0][the message's record]}. No {@link RecordCodec} value starts with 0 (format 0 is never
     * written), so it cannot be mistaken for one, and a broker from before inline entries rejects it as
     * "unknown format 0" instead of misreading it.
     */
    static final byte INLINE = 0;

    /** The body id of an inline entry: ids are positive, so no shared body has it. */
    static final long NO_BODY = 0;

    /** A queue entry with the message inline; {@code message} is {@link RecordCodec#message(StoredMessage)}'s value. */
    static byte[] inlineEntry(QueueEntry entry, byte[] message) {
        byte[] head = RecordCodec.queueEntry(entry);
        return ByteBuffer.allocate(5 + head.length + message.length).put(INLINE).putInt(head.length).put(head)
                .put(message).array();
    }

    static boolean inline(byte[] value) {
        return value.length > 0 && value[0] == INLINE;
    }

    /** The message of an inline entry. */
    static StoredMessage inlineMessage(byte[] value) {
        int head = inlineHeadLength(value);
        return RecordCodec.message(Arrays.copyOfRange(value, 5 + head, value.length));
    }

    /** An inline entry with its entry part replaced (the message part is copied as it is). */
    static byte[] withEntry(byte[] inlineValue, QueueEntry entry) {
        int head = inlineHeadLength(inlineValue);
        return inlineEntry(entry, Arrays.copyOfRange(inlineValue, 5 + head, inlineValue.length));
    }

    private static int inlineHeadLength(byte[] value) {
        RecordReader in = new RecordReader("queue entry", value);
        in.u8();
        int head = in.i32();
        if (head < 0 || head > in.remaining()) {
            throw in.corrupt("inline entry length " + head + " with " + in.remaining() + " bytes after it");
        }
        return head;
    }

    /**
     * A queue entry, shared-body or inline: an inline one has body id {@link #NO_BODY}. Only the entry part of
     * an inline value is decoded.
     */
    static QueueEntry entry(byte[] value) {
        if (inline(value)) {
            QueueEntry entry = RecordCodec.queueEntry(Arrays.copyOfRange(value, 5, 5 + inlineHeadLength(value)));
            if (entry.bodyId() != NO_BODY) {
                throw new RecordReader("queue entry", value).corrupt("inline entry names body " + entry.bodyId());
            }
            return entry;
        }
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
