package io.volantmq.persistence.codec;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordCodecTest {
    private static final String LONG_TOPIC = "t/".repeat(40_000) + "\u00e9\u20ac\ud83d\ude00"; // > 64 KiB, non-ASCII
    private static final StoredMessage FULL = new StoredMessage("a/b/\u00fc", 2, true, bytes(1000, 7), bytes(30, 3),
            1_700_000_000_000L, Long.MAX_VALUE);
    private static final StoredMessage EMPTY = new StoredMessage("", 0, false, null, null, 0, 0);

    @Test
    void messagesRoundTrip() {
        for (StoredMessage m : List.of(FULL, EMPTY, new StoredMessage(LONG_TOPIC, 1, false, bytes(1 << 20, 1),
                new byte[0], Long.MIN_VALUE, -1))) {
            assertThat(RecordCodec.message(RecordCodec.message(m))).isEqualTo(m);
        }
        assertThat(RecordCodec.message(RecordCodec.message(EMPTY)).payload()).isEmpty();
    }

    @Test
    void sessionsRoundTripWithAndWithoutWillAndOwner() {
        for (SessionState s : List.of(
                new SessionState("c", 4, 60, 1234, null, 0),
                new SessionState("", 3, 0, 0, null, 0, ""),
                new SessionState("c\u00e9", 5, SessionState.NEVER_EXPIRES, Long.MAX_VALUE, FULL, 0xFFFFFFFFL, "alice"),
                new SessionState(LONG_TOPIC, 5, 1, 2, EMPTY, 3, LONG_TOPIC))) {
            assertThat(RecordCodec.session(RecordCodec.session(s))).isEqualTo(s);
        }
        assertThat(RecordCodec.session(RecordCodec.session(new SessionState("c", 4, 60, 1234, null, 0))).owner()).isNull();
    }

    @Test
    void subscriptionsRoundTripWithEveryOption() {
        for (OrderedSubscription o : List.of(
                new OrderedSubscription(0, new StoredSubscription("#", 0, false, false, 0, 0)),
                new OrderedSubscription(Long.MAX_VALUE, new StoredSubscription("$share/g/a/+/b", 2, true, true, 2, 268_435_455)),
                new OrderedSubscription(7, new StoredSubscription(LONG_TOPIC, 1, true, false, 1, 1)))) {
            assertThat(RecordCodec.subscription(RecordCodec.subscription(o))).isEqualTo(o);
        }
        StoredSubscription s = new StoredSubscription("a", 1, false, true, 0, 5);
        assertThat(RecordCodec.subscription(RecordCodec.subscription(s))).isEqualTo(new OrderedSubscription(0, s));
    }

    @Test
    void queueEntriesRoundTripInEveryState() {
        for (InflightState state : InflightState.values()) {
            QueueEntry e = new QueueEntry(Long.MAX_VALUE, Integer.MAX_VALUE, 2, true, List.of(1, 268_435_455), 65_535, state);
            assertThat(RecordCodec.queueEntry(RecordCodec.queueEntry(e))).isEqualTo(e);
        }
        QueueEntry none = new QueueEntry(1, 0, 0, false, null, 0, InflightState.QUEUED);
        assertThat(RecordCodec.queueEntry(RecordCodec.queueEntry(none)).subscriptionIds()).isEmpty();
        List<Integer> many = Arrays.asList(new Integer[10_000]);
        many.replaceAll(i -> 268_435_455);
        QueueEntry big = new QueueEntry(1, 0, 1, false, many, 1, InflightState.SENT);
        assertThat(RecordCodec.queueEntry(RecordCodec.queueEntry(big))).isEqualTo(big);
    }

    @Test
    void everyValueStartsWithTheFormatByte() {
        assertThat(RecordCodec.message(FULL)[0]).isEqualTo((byte) RecordCodec.FORMAT);
        assertThat(RecordCodec.format(RecordCodec.session(new SessionState("c", 4, 0, 0, null, 0)))).isEqualTo(3);
        assertThat(RecordCodec.format(new byte[0])).isEqualTo(-1);
    }

    @Test
    void everyTruncationIsReportedNamingTheRecord() {
        byte[] session = RecordCodec.session(new SessionState("client", 5, 60, 1234, FULL, 5, "alice"));
        for (int n = 0; n < session.length; n++) {
            byte[] cut = Arrays.copyOf(session, n);
            assertThatThrownBy(() -> RecordCodec.session(cut))
                    .isInstanceOf(CorruptRecordException.class)
                    .hasMessageStartingWith("stored session does not decode: ");
        }
        byte[] entry = RecordCodec.queueEntry(new QueueEntry(1, 2, 1, false, List.of(3, 4), 5, InflightState.SENT));
        assertThatThrownBy(() -> RecordCodec.queueEntry(Arrays.copyOf(entry, entry.length - 1)))
                .isInstanceOf(PersistenceException.class)
                .hasMessageContaining("queue entry")
                .hasMessageContaining("count 2 with 7 bytes left");
    }

    @Test
    void aHugeLengthIsRefusedWithoutAllocatingIt() {
        byte[] m = RecordCodec.message(FULL);
        ByteBuffer.wrap(m).putInt(2, Integer.MAX_VALUE);    // the topic's length
        assertThatThrownBy(() -> RecordCodec.message(m))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessage("stored message does not decode: length 2147483647 with " + (m.length - 6)
                        + " bytes left at offset 2 of " + m.length + " bytes");
        ByteBuffer.wrap(m).putInt(2, -5);
        assertThatThrownBy(() -> RecordCodec.message(m)).hasMessageContaining("length -5");

        byte[] e = RecordCodec.queueEntry(new QueueEntry(1, 2, 1, false, List.of(3), 5, InflightState.SENT));
        ByteBuffer.wrap(e).putInt(e.length - 8, 1 << 30);   // the subscription id count
        assertThatThrownBy(() -> RecordCodec.queueEntry(e))
                .isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("count 1073741824 with 4 bytes left");
    }

    @Test
    void unknownFormatsAndKindsAreReported() {
        byte[] m = RecordCodec.message(FULL);
        assertThatThrownBy(() -> RecordCodec.session(m)).hasMessageStartingWith("stored session does not decode: it holds a message");
        assertThatThrownBy(() -> RecordCodec.message(with(m, 0, 4))).hasMessageContaining("format 4 is newer than this broker's (3)");
        assertThatThrownBy(() -> RecordCodec.message(with(m, 0, 0))).hasMessageContaining("unknown format 0");
        assertThatThrownBy(() -> RecordCodec.message(with(m, 0, 1))).hasMessageContaining("unknown format 1");
        assertThatThrownBy(() -> RecordCodec.message(with(m, 1, 9))).hasMessageContaining("record of unknown kind 9");
        assertThatThrownBy(() -> RecordCodec.message(new byte[0]))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("truncated");
    }

    @Test
    void damagedFieldsAndTrailingBytesAreReported() {
        byte[] s = RecordCodec.subscription(new StoredSubscription("a", 1, false, false, 0, 0));
        int qosAt = 2 + 8 + 4 + 1;
        assertThatThrownBy(() -> RecordCodec.subscription(with(s, qosAt, 3))).hasMessageContaining("QoS 3");
        assertThatThrownBy(() -> RecordCodec.subscription(with(s, qosAt + 1, 2))).hasMessageContaining("flag byte 2");
        assertThatThrownBy(() -> RecordCodec.subscription(with(s, qosAt + 3, 3))).hasMessageContaining("retain handling 3");
        assertThatThrownBy(() -> RecordCodec.subscription(Arrays.copyOf(s, s.length + 2)))
                .hasMessageContaining("2 unexpected trailing bytes");
        byte[] e = RecordCodec.queueEntry(new QueueEntry(1, 2, 1, false, List.of(), 5, InflightState.SENT));
        assertThatThrownBy(() -> RecordCodec.queueEntry(with(e, 2 + 8 + 4 + 2, 3))).hasMessageContaining("inflight state 3");
        byte[] m = RecordCodec.message(new StoredMessage("ab", 0, false, null, null, 0, 0));
        assertThatThrownBy(() -> RecordCodec.message(with(m, 6, 0xC3))).hasMessageContaining("not UTF-8");
    }

    @Test
    void olderFormatsGoToTheLegacyReaderWithTheFormatByte() {
        byte[] old = {2, 0, 0, 0, 1, 'x'};
        RecordCodec.Legacy<StoredMessage> legacy = (in, format) ->
                new StoredMessage(in.string() + format, 0, false, null, null, 0, 0);
        assertThat(RecordCodec.message(old, legacy).topic()).isEqualTo("x2");
        assertThat(RecordCodec.message(RecordCodec.message(FULL), legacy)).isEqualTo(FULL);
    }

    private static byte[] with(byte[] value, int at, int b) {
        byte[] copy = value.clone();
        copy[at] = (byte) b;
        return copy;
    }

    private static byte[] bytes(int n, int fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        return b;
    }

}
