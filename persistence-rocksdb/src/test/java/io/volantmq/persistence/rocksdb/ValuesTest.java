package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.codec.CorruptRecordException;
import io.volantmq.persistence.codec.OrderedSubscription;
import io.volantmq.persistence.codec.QueueEntry;
import io.volantmq.persistence.codec.RecordCodec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Values in format 1, the layout before the shared record codec, still read; new values are written in format 3. */
class ValuesTest {
    private static final byte[] TOPIC = "a/b".getBytes(StandardCharsets.UTF_8);

    @Test
    void aFormat1SessionFromBeforeOwnersReadsAsUnowned() {
        // format 1, level 4, expiry, disconnected at, will delay, no will: nothing after it
        byte[] old = ByteBuffer.allocate(1 + 1 + 24 + 1).put((byte) 1).put((byte) 4).putLong(60).putLong(1234)
                .putLong(0).put((byte) 0).array();

        assertThat(Values.session("c", old)).isEqualTo(new SessionState("c", 4, 60, 1234, null, 0));
    }

    @Test
    void aFormat1SessionWithWillAndOwnerReads() {
        byte[] will = format1Message();
        byte[] owner = "alice".getBytes(StandardCharsets.UTF_8);
        byte[] old = ByteBuffer.allocate(1 + 1 + 24 + 1 + will.length + 4 + owner.length).put((byte) 1).put((byte) 5)
                .putLong(60).putLong(1234).putLong(9).put((byte) 1).put(will).putInt(owner.length).put(owner).array();

        assertThat(Values.session("c", old)).isEqualTo(new SessionState("c", 5, 60, 1234, message(), 9, "alice"));
    }

    @Test
    void format1MessagesSubscriptionsAndEntriesRead() {
        assertThat(Values.message(format1Message())).isEqualTo(message());

        byte[] sub = ByteBuffer.allocate(1 + 8 + 4 + 4).put((byte) 1).putLong(42).put((byte) 2).put((byte) 1)
                .put((byte) 0).put((byte) 2).putInt(7).array();
        assertThat(Values.subscription("x/#", sub))
                .isEqualTo(new OrderedSubscription(42, new StoredSubscription("x/#", 2, true, false, 2, 7)));

        byte[] entry = ByteBuffer.allocate(1 + 8 + 4 + 3 + 4 + 4 + 8).put((byte) 1).putLong(5).putInt(100).put((byte) 1)
                .put((byte) 0).put((byte) InflightState.SENT.ordinal()).putInt(17).putInt(2).putInt(3).putInt(4).array();
        assertThat(Values.entry(entry)).isEqualTo(new QueueEntry(5, 100, 1, false, List.of(3, 4), 17, InflightState.SENT));
    }

    @Test
    void aDamagedFormat1ValueIsReportedLikeAnyOther() {
        byte[] old = format1Message();
        ByteBuffer.wrap(old).putInt(1, 1 << 30);
        assertThatThrownBy(() -> Values.message(old)).isInstanceOf(CorruptRecordException.class)
                .hasMessageStartingWith("stored message does not decode: length 1073741824");
    }

    @Test
    void newValuesAreWrittenInTheSharedFormatAndRead() {
        SessionState owned = new SessionState("c", 5, 60, 1234, message(), 9, "alice");
        byte[] written = RecordCodec.session(owned);
        assertThat(written[0]).isEqualTo((byte) RecordCodec.FORMAT);
        assertThat(Values.session("c", written)).isEqualTo(owned);
    }

    @Test
    void inlineEntriesCarryTheirMessageAndKeepItWhenTheEntryChanges() {
        QueueEntry entry = new QueueEntry(Values.NO_BODY, 2, 1, true, List.of(5), 0, InflightState.QUEUED);
        byte[] value = Values.inlineEntry(entry, RecordCodec.message(message()));
        assertThat(Values.inline(value)).isTrue();
        assertThat(Values.entry(value)).isEqualTo(entry);
        assertThat(Values.inlineMessage(value)).isEqualTo(message());

        byte[] sent = Values.withEntry(value, entry.withInflight(9, InflightState.SENT));
        assertThat(Values.entry(sent)).isEqualTo(entry.withInflight(9, InflightState.SENT));
        assertThat(Values.inlineMessage(sent)).isEqualTo(message());
        assertThat(Values.inline(RecordCodec.queueEntry(new QueueEntry(3, 2, 1, false, List.of(), 0,
                InflightState.QUEUED)))).as("a shared-body entry").isFalse();
    }

    @Test
    void aDamagedInlineEntryIsReportedAsCorrupt() {
        QueueEntry entry = new QueueEntry(Values.NO_BODY, 2, 1, false, List.of(), 0, InflightState.QUEUED);
        byte[] value = Values.inlineEntry(entry, RecordCodec.message(message()));
        ByteBuffer.wrap(value).putInt(1, value.length);
        assertThatThrownBy(() -> Values.entry(value)).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("inline entry length");

        byte[] namesABody = Values.inlineEntry(entry.withInflight(0, InflightState.QUEUED), RecordCodec.message(message()));
        ByteBuffer.wrap(namesABody).putLong(5 + 2, 77); // the entry record's body id, after [format][kind]
        assertThatThrownBy(() -> Values.entry(namesABody)).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("inline entry names body 77");
    }

    private static StoredMessage message() {
        return new StoredMessage("a/b", 1, true, new byte[] {9, 8}, new byte[] {1}, 11, 22);
    }

    /** format 1, topic, qos, retain, created, expires, properties, payload */
    private static byte[] format1Message() {
        return ByteBuffer.allocate(1 + 4 + TOPIC.length + 2 + 16 + 4 + 1 + 4 + 2).put((byte) 1).putInt(TOPIC.length).put(TOPIC)
                .put((byte) 1).put((byte) 1).putLong(11).putLong(22).putInt(1).put((byte) 1).putInt(2).put((byte) 9)
                .put((byte) 8).array();
    }
}
