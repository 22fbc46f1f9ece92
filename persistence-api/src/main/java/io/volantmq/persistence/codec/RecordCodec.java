package io.volantmq.persistence.codec;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;

import java.util.ArrayList;
import java.util.List;

/**
 * The one value layout of every record the binary backends store (RocksDB, MapDB, Redis).
 *
 * <p>A value is {@code [format][kind][fields]}: the format byte first, so a later layout can still read this
 * one; the kind byte so that a value read as the wrong record is reported as such. Fields are big-endian,
 * strings and byte arrays an int32 length then the bytes (UTF-8 for strings, never {@code writeUTF}, whose
 * 64 KiB limit a long topic could exceed). Formats 1 and 2 were each backend's own layout from before this
 * codec; a backend that still has such values passes a {@link Legacy} reader for them.
 *
 * <p>Decoding never trusts the input: every failure, truncation, a bad length, an unknown format or kind,
 * a flag that is neither 0 nor 1, leftover bytes, is a {@link CorruptRecordException} naming the record kind
 * and what was wrong, and lengths are checked against the value before anything is allocated.
 */
public final class RecordCodec {
    /** The format this codec writes. 1 and 2 were the backends' own layouts before it. */
    public static final int FORMAT = 3;

    private static final int MESSAGE = 1;
    private static final int SESSION = 2;
    private static final int SUBSCRIPTION = 3;
    private static final int QUEUE_ENTRY = 4;
    private static final String[] KIND_NAMES = {null, "message", "session", "subscription", "queue entry"};
    private static final InflightState[] STATES = InflightState.values();

    private RecordCodec() {
    }

    /**
     * Reads a value written in a format before {@link #FORMAT} (a backend's own older layout).
     *
     * @param <T> the record
     */
    @FunctionalInterface
    public interface Legacy<T> {
        /**
         * @param in     positioned after the format byte
         * @param format the format byte, below {@link #FORMAT}
         */
        T read(RecordReader in, int format);
    }

    // ---- message

    public static byte[] message(StoredMessage m) {
        RecordWriter out = header(MESSAGE, 40 + m.topic().length() + m.properties().length + m.payload().length);
        writeMessage(out, m);
        return out.toArray();
    }

    public static StoredMessage message(byte[] value) {
        return message(value, null);
    }

    public static StoredMessage message(byte[] value, Legacy<StoredMessage> legacy) {
        return decode(value, MESSAGE, legacy, RecordCodec::readMessage);
    }

    // ---- session

    public static byte[] session(SessionState s) {
        StoredMessage will = s.will();
        RecordWriter out = header(SESSION, 64 + s.clientId().length()
                + (will == null ? 0 : 40 + will.topic().length() + will.properties().length + will.payload().length));
        out.string(s.clientId()).u8(s.protocolVersion()).i64(s.expiryIntervalSeconds())
                .i64(s.disconnectedAtMillis()).i64(s.willDelaySeconds());
        out.bool(s.owner() != null);
        if (s.owner() != null) {
            out.string(s.owner());
        }
        out.bool(will != null);
        if (will != null) {
            writeMessage(out, will);
        }
        return out.toArray();
    }

    public static SessionState session(byte[] value) {
        return session(value, null);
    }

    public static SessionState session(byte[] value, Legacy<SessionState> legacy) {
        return decode(value, SESSION, legacy, in -> {
            String clientId = in.string();
            int protocolVersion = in.u8();
            long expiry = in.i64();
            long disconnectedAt = in.i64();
            long willDelay = in.i64();
            String owner = in.bool() ? in.string() : null;
            StoredMessage will = in.bool() ? readMessage(in) : null;
            return new SessionState(clientId, protocolVersion, expiry, disconnectedAt, will, willDelay, owner);
        });
    }

    // ---- subscription

    /** A subscription without an order, for stores that keep the order elsewhere (it reads as order 0). */
    public static byte[] subscription(StoredSubscription s) {
        return subscription(new OrderedSubscription(0, s));
    }

    public static byte[] subscription(OrderedSubscription o) {
        StoredSubscription s = o.subscription();
        return header(SUBSCRIPTION, 32 + s.filter().length()).i64(o.order()).string(s.filter()).u8(s.qos())
                .bool(s.noLocal()).bool(s.retainAsPublished()).u8(s.retainHandling()).i32(s.subscriptionId())
                .toArray();
    }

    public static OrderedSubscription subscription(byte[] value) {
        return subscription(value, null);
    }

    public static OrderedSubscription subscription(byte[] value, Legacy<OrderedSubscription> legacy) {
        return decode(value, SUBSCRIPTION, legacy, in -> {
            long order = in.i64();
            String filter = in.string();
            int qos = qos(in);
            boolean noLocal = in.bool();
            boolean retainAsPublished = in.bool();
            int retainHandling = in.u8();
            if (retainHandling > 2) {
                throw in.corrupt("retain handling " + retainHandling);
            }
            return new OrderedSubscription(order,
                    new StoredSubscription(filter, qos, noLocal, retainAsPublished, retainHandling, in.i32()));
        });
    }

    // ---- queue entry

    public static byte[] queueEntry(QueueEntry e) {
        RecordWriter out = header(QUEUE_ENTRY, 32 + 4 * e.subscriptionIds().size()).i64(e.bodyId())
                .i32(e.payloadLength()).u8(e.qos()).bool(e.retain()).u8(e.state().ordinal()).i32(e.packetId())
                .i32(e.subscriptionIds().size());
        for (int id : e.subscriptionIds()) {
            out.i32(id);
        }
        return out.toArray();
    }

    public static QueueEntry queueEntry(byte[] value) {
        return queueEntry(value, null);
    }

    public static QueueEntry queueEntry(byte[] value, Legacy<QueueEntry> legacy) {
        return decode(value, QUEUE_ENTRY, legacy, in -> {
            long bodyId = in.i64();
            int payloadLength = in.i32();
            int qos = qos(in);
            boolean retain = in.bool();
            InflightState state = state(in);
            int packetId = in.i32();
            int count = in.count(4);
            List<Integer> ids = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ids.add(in.i32());
            }
            return new QueueEntry(bodyId, payloadLength, qos, retain, ids, packetId, state);
        });
    }

    /** The inflight state by its ordinal, as the queue entry layouts store it. */
    public static InflightState state(RecordReader in) {
        int state = in.u8();
        if (state >= STATES.length) {
            throw in.corrupt("inflight state " + state);
        }
        return STATES[state];
    }

    /** The format byte of a value, -1 for an empty one. */
    public static int format(byte[] value) {
        return value.length == 0 ? -1 : value[0] & 0xFF;
    }

    // ---- shared

    private interface Body<T> {
        T read(RecordReader in);
    }

    private static RecordWriter header(int kind, int expected) {
        return new RecordWriter(expected).u8(FORMAT).u8(kind);
    }

    private static <T> T decode(byte[] value, int kind, Legacy<T> legacy, Body<T> body) {
        RecordReader in = new RecordReader(KIND_NAMES[kind], value);
        int format = in.u8();
        if (format == FORMAT) {
            int found = in.u8();
            if (found != kind) {
                throw in.corrupt("it holds a " + (found > 0 && found < KIND_NAMES.length ? KIND_NAMES[found]
                        : "record of unknown kind " + found));
            }
            T record = body.read(in);
            in.end();
            return record;
        }
        if (format > FORMAT) {
            throw in.corrupt("format " + format + " is newer than this broker's (" + FORMAT + ")");
        }
        if (legacy == null || format == 0) {
            throw in.corrupt("unknown format " + format);
        }
        return legacy.read(in, format);
    }

    private static void writeMessage(RecordWriter out, StoredMessage m) {
        out.string(m.topic()).u8(m.qos()).bool(m.retain()).i64(m.createdAtMillis()).i64(m.expiresAtMillis())
                .bytes(m.properties()).bytes(m.payload());
    }

    private static StoredMessage readMessage(RecordReader in) {
        String topic = in.string();
        int qos = qos(in);
        boolean retain = in.bool();
        long created = in.i64();
        long expires = in.i64();
        byte[] properties = in.bytes();
        byte[] payload = in.bytes();
        return new StoredMessage(topic, qos, retain, payload, properties, created, expires);
    }

    private static int qos(RecordReader in) {
        int qos = in.u8();
        if (qos > 2) {
            throw in.corrupt("QoS " + qos);
        }
        return qos;
    }
}
