package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.codec.CorruptRecordException;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.QueueEntry;
import io.volantmq.persistence.codec.RecordCodec;
import org.junit.jupiter.api.Test;
import org.mapdb.DataInput2;
import org.mapdb.DataOutput2;
import org.mapdb.Serializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The MapDB version's serializers, which the converter reads old files with (restored from b0ee7c5^ with
 * their tests): values in formats 1 and 2, the backend's layout before the shared record codec, read
 * (sessions from before owners as unowned); format 3 is the shared format behind a packed length.
 */
class LegacyRecordsTest {
    private static final StoredMessage MESSAGE = new StoredMessage("a/b", 1, true, new byte[] {9, 8}, new byte[] {1}, 11, 22);

    @Test
    void aFormat1SessionReadsAsUnownedAndAFormat2OneWithItsOwner() throws IOException {
        assertThat(read(LegacyRecords.SESSION, oldSession(1, null))).isEqualTo(new SessionState("c", 4, 60, 1234, null, 0));
        assertThat(read(LegacyRecords.SESSION, oldSession(2, "alice")))
                .isEqualTo(new SessionState("c", 4, 60, 1234, null, 0, "alice"));
    }

    @Test
    void format1MessagesSubscriptionsAndEntriesRead() throws IOException {
        DataOutput2 m = new DataOutput2();
        m.writeByte(1);
        oldMessage(m);
        assertThat(read(LegacyRecords.MESSAGE, m.copyBytes())).isEqualTo(MESSAGE);

        DataOutput2 s = new DataOutput2();
        s.writeByte(1);
        s.writeLong(42);
        oldString(s, "x/#");
        s.writeByte(2);
        s.writeBoolean(true);
        s.writeBoolean(false);
        s.writeByte(2);
        s.writeInt(7);
        assertThat(read(LegacyRecords.SUBSCRIPTION, s.copyBytes()))
                .isEqualTo(new OrderedSubscription(42, new StoredSubscription("x/#", 2, true, false, 2, 7)));

        DataOutput2 e = new DataOutput2();
        e.writeByte(1);
        e.writeLong(5);
        e.writeInt(100);
        e.writeByte(1);
        e.writeBoolean(false);
        e.writeByte(InflightState.SENT.ordinal());
        e.writeInt(17);
        e.packInt(2);
        e.writeInt(3);
        e.writeInt(4);
        assertThat(read(LegacyRecords.ENTRY, e.copyBytes()))
                .isEqualTo(new QueueEntry(5, 100, 1, false, List.of(3, 4), 17, InflightState.SENT));
    }

    @Test
    void newValuesAreTheSharedFormatAndRoundTrip() throws IOException {
        SessionState owned = new SessionState("c", 4, 60, 1234, MESSAGE, 0, "alice");
        DataOutput2 out = new DataOutput2();
        LegacyRecords.SESSION.serialize(out, owned);
        byte[] written = out.copyBytes();

        assertThat(written[0]).isEqualTo((byte) RecordCodec.FORMAT);
        assertThat(read(LegacyRecords.SESSION, written)).isEqualTo(owned);
        byte[] record = RecordCodec.session(owned);
        assertThat(Arrays.copyOfRange(written, written.length - record.length, written.length)).isEqualTo(record);
    }

    @Test
    void damagedValuesAreReportedNamingTheRecord() throws IOException {
        DataOutput2 out = new DataOutput2();
        LegacyRecords.MESSAGE.serialize(out, MESSAGE);
        byte[] written = out.copyBytes();
        assertThatThrownBy(() -> read(LegacyRecords.MESSAGE, Arrays.copyOf(written, written.length - 3)))
                .isInstanceOf(CorruptRecordException.class).hasMessageStartingWith("stored message does not decode: truncated");

        DataOutput2 huge = new DataOutput2();
        huge.writeByte(RecordCodec.FORMAT);
        huge.packInt(Integer.MAX_VALUE);   // a damaged length: refused by the end of the value, not by allocating 2 GiB
        huge.write(new byte[] {3, 1});
        assertThatThrownBy(() -> read(LegacyRecords.MESSAGE, huge.copyBytes()))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("message");

        assertThatThrownBy(() -> read(LegacyRecords.ENTRY, new byte[] {9, 0, 0}))
                .isInstanceOf(CorruptRecordException.class).hasMessage("stored queue entry does not decode: unknown format 9");
        assertThatThrownBy(() -> read(LegacyRecords.MESSAGE, oldSession(2, "x")))
                .isInstanceOf(CorruptRecordException.class).hasMessage("stored message does not decode: unknown format 2");
    }

    private static <T> T read(Serializer<T> serializer, byte[] bytes) throws IOException {
        return serializer.deserialize(new DataInput2.ByteArray(bytes), -1);
    }

    private static byte[] oldSession(int format, String owner) throws IOException {
        DataOutput2 out = new DataOutput2();
        out.writeByte(format);
        oldString(out, "c");
        out.writeByte(4);
        out.writeLong(60);
        out.writeLong(1234);
        out.writeLong(0);
        out.writeBoolean(false);
        if (owner != null) {
            oldString(out, owner);
        }
        return out.copyBytes();
    }

    private static void oldMessage(DataOutput2 out) throws IOException {
        oldString(out, "a/b");
        out.writeByte(1);
        out.writeBoolean(true);
        out.writeLong(11);
        out.writeLong(22);
        out.packInt(1);
        out.write(new byte[] {1});
        out.packInt(2);
        out.write(new byte[] {9, 8});
    }

    private static void oldString(DataOutput2 out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.packInt(b.length);
        out.write(b);
    }
}
