package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import org.mapdb.DataInput2;
import org.mapdb.DataOutput2;
import org.mapdb.serializer.GroupSerializer;
import org.mapdb.serializer.GroupSerializerObjectArray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * MapDB serializers for the stored records. Every value starts with a format byte so a later
 * version can still read what this one wrote; strings are length + UTF-8 (not writeUTF, whose
 * 64 KiB limit a long topic could exceed).
 */
final class MapDbSerializers {
    private static final int V1 = 1;
    private static final int SESSION_WITH_OWNER = 2;
    private static final InflightState[] STATES = InflightState.values();

    private MapDbSerializers() {
    }

    /** A queue entry: which body it references and what differs per subscriber. */
    record Entry(long bodyId, int payloadLength, int qos, boolean retain, List<Integer> subscriptionIds,
                 int packetId, InflightState state) {
        Entry withInflight(int newPacketId, InflightState newState) {
            return new Entry(bodyId, payloadLength, qos, retain, subscriptionIds, newPacketId, newState);
        }
    }

    /** A subscription with the order it was first added in. */
    record Subscription(long order, StoredSubscription subscription) {
    }

    static final GroupSerializer<StoredMessage> MESSAGE = new GroupSerializerObjectArray<>() {
        @Override
        public void serialize(DataOutput2 out, StoredMessage value) throws IOException {
            out.writeByte(V1);
            writeMessage(out, value);
        }

        @Override
        public StoredMessage deserialize(DataInput2 in, int available) throws IOException {
            version(in, "message");
            return readMessage(in);
        }
    };

    /**
     * Format 1: a session without owner (every session written before owners existed); format 2 adds
     * the owner at the end. Unowned sessions are still written as format 1, which older code reads.
     */
    static final GroupSerializer<SessionState> SESSION = new GroupSerializerObjectArray<>() {
        @Override
        public void serialize(DataOutput2 out, SessionState s) throws IOException {
            out.writeByte(s.owner() == null ? V1 : SESSION_WITH_OWNER);
            writeString(out, s.clientId());
            out.writeByte(s.protocolVersion());
            out.writeLong(s.expiryIntervalSeconds());
            out.writeLong(s.disconnectedAtMillis());
            out.writeLong(s.willDelaySeconds());
            out.writeBoolean(s.will() != null);
            if (s.will() != null) {
                writeMessage(out, s.will());
            }
            if (s.owner() != null) {
                writeString(out, s.owner());
            }
        }

        @Override
        public SessionState deserialize(DataInput2 in, int available) throws IOException {
            int format = in.readByte();
            if (format != V1 && format != SESSION_WITH_OWNER) {
                throw new IOException("session has an unknown format " + format);
            }
            String clientId = readString(in);
            int protocolVersion = in.readByte();
            long expiry = in.readLong();
            long disconnectedAt = in.readLong();
            long willDelay = in.readLong();
            StoredMessage will = in.readBoolean() ? readMessage(in) : null;
            String owner = format == SESSION_WITH_OWNER ? readString(in) : null;
            return new SessionState(clientId, protocolVersion, expiry, disconnectedAt, will, willDelay, owner);
        }
    };

    static final GroupSerializer<Subscription> SUBSCRIPTION = new GroupSerializerObjectArray<>() {
        @Override
        public void serialize(DataOutput2 out, Subscription value) throws IOException {
            StoredSubscription s = value.subscription();
            out.writeByte(V1);
            out.writeLong(value.order());
            writeString(out, s.filter());
            out.writeByte(s.qos());
            out.writeBoolean(s.noLocal());
            out.writeBoolean(s.retainAsPublished());
            out.writeByte(s.retainHandling());
            out.writeInt(s.subscriptionId());
        }

        @Override
        public Subscription deserialize(DataInput2 in, int available) throws IOException {
            version(in, "subscription");
            long order = in.readLong();
            StoredSubscription s = new StoredSubscription(readString(in), in.readByte(), in.readBoolean(), in.readBoolean(),
                    in.readByte(), in.readInt());
            return new Subscription(order, s);
        }
    };

    static final GroupSerializer<Entry> ENTRY = new GroupSerializerObjectArray<>() {
        @Override
        public void serialize(DataOutput2 out, Entry e) throws IOException {
            out.writeByte(V1);
            out.writeLong(e.bodyId());
            out.writeInt(e.payloadLength());
            out.writeByte(e.qos());
            out.writeBoolean(e.retain());
            out.writeByte(e.state().ordinal());
            out.writeInt(e.packetId());
            out.packInt(e.subscriptionIds().size());
            for (int id : e.subscriptionIds()) {
                out.writeInt(id);
            }
        }

        @Override
        public Entry deserialize(DataInput2 in, int available) throws IOException {
            version(in, "queue entry");
            long bodyId = in.readLong();
            int payloadLength = in.readInt();
            int qos = in.readByte();
            boolean retain = in.readBoolean();
            int state = in.readByte();
            if (state < 0 || state >= STATES.length) {
                throw new IOException("queue entry has an unknown inflight state " + state);
            }
            int packetId = in.readInt();
            int count = in.unpackInt();
            List<Integer> ids = new ArrayList<>(Math.min(count, 16));
            for (int i = 0; i < count; i++) {
                ids.add(in.readInt());
            }
            return new Entry(bodyId, payloadLength, qos, retain, ids, packetId, STATES[state]);
        }
    };

    private static void writeMessage(DataOutput2 out, StoredMessage m) throws IOException {
        writeString(out, m.topic());
        out.writeByte(m.qos());
        out.writeBoolean(m.retain());
        out.writeLong(m.createdAtMillis());
        out.writeLong(m.expiresAtMillis());
        writeBytes(out, m.properties());
        writeBytes(out, m.payload());
    }

    private static StoredMessage readMessage(DataInput2 in) throws IOException {
        String topic = readString(in);
        int qos = in.readByte();
        boolean retain = in.readBoolean();
        long created = in.readLong();
        long expires = in.readLong();
        byte[] properties = readBytes(in);
        byte[] payload = readBytes(in);
        return new StoredMessage(topic, qos, retain, payload, properties, created, expires);
    }

    private static void writeString(DataOutput2 out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInput2 in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutput2 out, byte[] bytes) throws IOException {
        out.packInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInput2 in) throws IOException {
        int length = in.unpackInt();
        if (length < 0 || length > 256 << 20) {
            throw new IOException("stored length " + length + " is out of range");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    private static void version(DataInput2 in, String what) throws IOException {
        int version = in.readByte();
        if (version != V1) {
            throw new IOException(what + " has an unknown format " + version);
        }
    }
}
