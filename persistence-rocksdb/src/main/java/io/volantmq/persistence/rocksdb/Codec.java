package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Value layouts. Each record starts with a format byte so a later version can read older values.
 * Decoding a value that does not parse throws {@link PersistenceException} naming the record.
 */
final class Codec {
    private static final byte V1 = 1;
    private static final InflightState[] STATES = InflightState.values();

    private Codec() {
    }

    /** A queue entry's value: which body it references and what differs per subscriber. */
    record Entry(long bodyId, int payloadLength, int qos, boolean retain, List<Integer> subscriptionIds,
                 int packetId, InflightState state) {
        Entry withInflight(int newPacketId, InflightState newState) {
            return new Entry(bodyId, payloadLength, qos, retain, subscriptionIds, newPacketId, newState);
        }
    }

    /** A subscription's value: the order it was first added in, then its options. */
    record Subscription(long order, StoredSubscription subscription) {
    }

    static byte[] message(StoredMessage m) {
        byte[] topic = m.topic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(1 + 4 + topic.length + 2 + 16 + 4 + m.properties().length + 4 + m.payload().length);
        buf.put(V1);
        putMessage(buf, topic, m);
        return buf.array();
    }

    static StoredMessage message(byte[] value) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(value);
            version(buf, "message");
            return getMessage(buf);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new PersistenceException("stored message does not parse (" + value.length + " bytes)", e);
        }
    }

    /**
     * A session: its fields, then the owner as an optional tail (length + UTF-8) that values written
     * before owners existed lack; they read as unowned, and older code reading a newer value ignores it.
     */
    static byte[] session(SessionState s) {
        byte[] will = s.will() == null ? null : message(s.will());
        byte[] owner = s.owner() == null ? null : s.owner().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(1 + 1 + 24 + 1 + (will == null ? 0 : will.length)
                + (owner == null ? 0 : 4 + owner.length));
        buf.put(V1).put((byte) s.protocolVersion()).putLong(s.expiryIntervalSeconds())
                .putLong(s.disconnectedAtMillis()).putLong(s.willDelaySeconds());
        buf.put((byte) (will == null ? 0 : 1));
        if (will != null) {
            buf.put(will);
        }
        if (owner != null) {
            buf.putInt(owner.length).put(owner);
        }
        return buf.array();
    }

    static SessionState session(String clientId, byte[] value) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(value);
            version(buf, "session");
            int protocolVersion = buf.get();
            long expiry = buf.getLong();
            long disconnectedAt = buf.getLong();
            long willDelay = buf.getLong();
            StoredMessage will = null;
            if (buf.get() != 0) {
                version(buf, "will");
                will = getMessage(buf);
            }
            String owner = buf.hasRemaining() ? new String(bytes(buf), StandardCharsets.UTF_8) : null;
            return new SessionState(clientId, protocolVersion, expiry, disconnectedAt, will, willDelay, owner);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new PersistenceException("stored session of '" + clientId + "' does not parse", e);
        }
    }

    static byte[] subscription(long order, StoredSubscription s) {
        return ByteBuffer.allocate(1 + 8 + 4 + 4).put(V1).putLong(order)
                .put((byte) s.qos()).put((byte) (s.noLocal() ? 1 : 0)).put((byte) (s.retainAsPublished() ? 1 : 0))
                .put((byte) s.retainHandling()).putInt(s.subscriptionId()).array();
    }

    static Subscription subscription(String filter, byte[] value) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(value);
            version(buf, "subscription");
            long order = buf.getLong();
            StoredSubscription s = new StoredSubscription(filter, buf.get(), buf.get() != 0, buf.get() != 0, buf.get(), buf.getInt());
            return new Subscription(order, s);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new PersistenceException("stored subscription '" + filter + "' does not parse", e);
        }
    }

    static byte[] entry(Entry e) {
        ByteBuffer buf = ByteBuffer.allocate(1 + 8 + 4 + 3 + 4 + 4 + 4 * e.subscriptionIds().size());
        buf.put(V1).putLong(e.bodyId()).putInt(e.payloadLength()).put((byte) e.qos()).put((byte) (e.retain() ? 1 : 0))
                .put((byte) e.state().ordinal()).putInt(e.packetId()).putInt(e.subscriptionIds().size());
        for (int id : e.subscriptionIds()) {
            buf.putInt(id);
        }
        return buf.array();
    }

    static Entry entry(byte[] value) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(value);
            version(buf, "queue entry");
            long bodyId = buf.getLong();
            int payloadLength = buf.getInt();
            int qos = buf.get();
            boolean retain = buf.get() != 0;
            int state = buf.get();
            if (state < 0 || state >= STATES.length) {
                throw new IllegalArgumentException("inflight state " + state);
            }
            int packetId = buf.getInt();
            int count = buf.getInt();
            List<Integer> ids = new ArrayList<>(Math.min(count, buf.remaining() / 4));
            for (int i = 0; i < count; i++) {
                ids.add(buf.getInt());
            }
            return new Entry(bodyId, payloadLength, qos, retain, ids, packetId, STATES[state]);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new PersistenceException("stored queue entry does not parse", e);
        }
    }

    static byte[] stats(long messages, long bytes) {
        return ByteBuffer.allocate(16).putLong(messages).putLong(bytes).array();
    }

    static QueueStats stats(byte[] value) {
        if (value == null) {
            return QueueStats.EMPTY;
        }
        ByteBuffer buf = ByteBuffer.wrap(value);
        return new QueueStats(buf.getLong(), buf.getLong());
    }

    static byte[] count(long n) {
        return ByteBuffer.allocate(8).putLong(n).array();
    }

    static long count(byte[] value) {
        return ByteBuffer.wrap(value).getLong();
    }

    private static void putMessage(ByteBuffer buf, byte[] topic, StoredMessage m) {
        buf.putInt(topic.length).put(topic).put((byte) m.qos()).put((byte) (m.retain() ? 1 : 0))
                .putLong(m.createdAtMillis()).putLong(m.expiresAtMillis())
                .putInt(m.properties().length).put(m.properties())
                .putInt(m.payload().length).put(m.payload());
    }

    private static StoredMessage getMessage(ByteBuffer buf) {
        String topic = new String(bytes(buf), StandardCharsets.UTF_8);
        int qos = buf.get();
        boolean retain = buf.get() != 0;
        long created = buf.getLong();
        long expires = buf.getLong();
        byte[] properties = bytes(buf);
        byte[] payload = bytes(buf);
        return new StoredMessage(topic, qos, retain, payload, properties, created, expires);
    }

    private static byte[] bytes(ByteBuffer buf) {
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining()) {
            throw new IllegalArgumentException("length " + length + " with " + buf.remaining() + " bytes left");
        }
        byte[] bytes = new byte[length];
        buf.get(bytes);
        return bytes;
    }

    private static void version(ByteBuffer buf, String what) {
        byte version = buf.get();
        if (version != V1) {
            throw new IllegalArgumentException(what + " format " + version + " is unknown");
        }
    }
}
