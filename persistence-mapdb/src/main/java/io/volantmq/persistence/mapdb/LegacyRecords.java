package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.codec.CorruptRecordException;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.QueueEntry;
import io.volantmq.persistence.codec.RecordCodec;
import org.mapdb.DataInput2;
import org.mapdb.DataOutput2;
import org.mapdb.serializer.GroupSerializer;
import org.mapdb.serializer.GroupSerializerObjectArray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The MapDB serializers of the version before MVStore, as it wrote them, to read its files for
 * conversion: format 3 is a {@link RecordCodec} value behind its format byte and a packed length
 * ({@code [3][length][value]}); formats 1 and 2 were the backend's own layout before the shared codec,
 * and a file may still hold them (that version rewrote a value only when it changed). Writing is kept
 * because MapDB asks a serializer for both.
 */
final class LegacyRecords {
    /** A current value of a kind of record and the reader of that kind's format 1 (and 2) values. */
    private record Codec<T>(String kind, Function<T, byte[]> encode, Function<byte[], T> decode, Legacy<T> legacy) {
    }

    private interface Legacy<T> {
        T read(DataInput2 in, int format) throws IOException;
    }

    static final GroupSerializer<StoredMessage> MESSAGE = of(new Codec<>("message", RecordCodec::message,
            RecordCodec::message, (in, format) -> format == 1 ? readMessage(in) : null));

    /** Format 1: a session without owner; format 2 added the owner at the end. */
    static final GroupSerializer<SessionState> SESSION = of(new Codec<>("session", RecordCodec::session,
            RecordCodec::session, (in, format) -> {
                String clientId = readString(in);
                int protocolVersion = in.readByte();
                long expiry = in.readLong();
                long disconnectedAt = in.readLong();
                long willDelay = in.readLong();
                StoredMessage will = in.readBoolean() ? readMessage(in) : null;
                String owner = format == 2 ? readString(in) : null;
                return new SessionState(clientId, protocolVersion, expiry, disconnectedAt, will, willDelay, owner);
            }));

    static final GroupSerializer<OrderedSubscription> SUBSCRIPTION = of(new Codec<>("subscription",
            RecordCodec::subscription, RecordCodec::subscription, (in, format) -> format != 1 ? null
                    : new OrderedSubscription(in.readLong(), new StoredSubscription(readString(in), in.readByte(),
                    in.readBoolean(), in.readBoolean(), in.readByte(), in.readInt()))));

    static final GroupSerializer<QueueEntry> ENTRY = of(new Codec<>("queue entry", RecordCodec::queueEntry,
            RecordCodec::queueEntry, (in, format) -> {
                if (format != 1) {
                    return null;
                }
                long bodyId = in.readLong();
                int payloadLength = in.readInt();
                int qos = in.readByte();
                boolean retain = in.readBoolean();
                int state = in.readByte();
                InflightState[] states = InflightState.values();
                if (state < 0 || state >= states.length) {
                    throw new IOException("inflight state " + state);
                }
                int packetId = in.readInt();
                int count = in.unpackInt();
                List<Integer> ids = new ArrayList<>(Math.min(count, 16));
                for (int i = 0; i < count; i++) {
                    ids.add(in.readInt());
                }
                return new QueueEntry(bodyId, payloadLength, qos, retain, ids, packetId, states[state]);
            }));

    private LegacyRecords() {
    }

    private static <T> GroupSerializer<T> of(Codec<T> codec) {
        return new GroupSerializerObjectArray<>() {
            @Override
            public void serialize(DataOutput2 out, T value) throws IOException {
                byte[] bytes = codec.encode().apply(value);
                out.writeByte(RecordCodec.FORMAT);
                out.packInt(bytes.length);
                out.write(bytes);
            }

            @Override
            public T deserialize(DataInput2 in, int available) {
                int format;
                try {
                    format = in.readUnsignedByte();
                    if (format == RecordCodec.FORMAT) {
                        return codec.decode().apply(readBounded(in, in.unpackInt()));
                    }
                    T old = format == 1 || format == 2 ? codec.legacy().read(in, format) : null;
                    if (old != null) {
                        return old;
                    }
                } catch (IOException | RuntimeException e) {
                    if (e instanceof CorruptRecordException c) {
                        throw c;
                    }
                    // a short stream ends in EOFException or an index out of bounds, depending on the volume
                    throw new CorruptRecordException(codec.kind(), "truncated or damaged: " + e);
                }
                throw new CorruptRecordException(codec.kind(), "unknown format " + format);
            }
        };
    }

    /**
     * {@code length} bytes, read in growing chunks: the stream's end, not a damaged length, bounds what is
     * allocated (MapDB does not say how many bytes a value has).
     */
    private static byte[] readBounded(DataInput2 in, int length) throws IOException {
        if (length < 0) {
            throw new IOException("length " + length);
        }
        byte[] bytes = new byte[Math.min(length, 1 << 16)];
        int filled = 0;
        while (filled < length) {
            if (filled == bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(length, 2L * bytes.length));
            }
            int n = bytes.length - filled;
            in.readFully(bytes, filled, n);
            filled += n;
        }
        return bytes;
    }

    // ---- formats 1 and 2: strings were a packed length then UTF-8

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

    private static String readString(DataInput2 in) throws IOException {
        return new String(readBytes(in), StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(DataInput2 in) throws IOException {
        return readBounded(in, in.unpackInt());
    }
}
