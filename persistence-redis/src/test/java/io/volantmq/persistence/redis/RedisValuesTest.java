package io.volantmq.persistence.redis;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.codec.CorruptRecordException;
import io.volantmq.persistence.codec.RecordCodec;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Values in formats 1 and 2, this backend's layout before the shared record codec, still read (sessions from
 * before owners as unowned); new values are written in the shared format.
 */
class RedisValuesTest {
    private static final StoredMessage MESSAGE = new StoredMessage("a/b", 1, true, new byte[] {9, 8}, new byte[] {1}, 11, 22);

    @Test
    void aFormat1SessionReadsAsUnownedAndAFormat2OneWithItsOwnerAndWill() throws IOException {
        assertThat(RedisValues.decodeSession(oldSession(1, false, null))).isEqualTo(new SessionState("c", 4, 60, 1234, null, 0));
        assertThat(RedisValues.decodeSession(oldSession(2, true, "alice")))
                .isEqualTo(new SessionState("c", 4, 60, 1234, MESSAGE, 0, "alice"));
    }

    @Test
    void format1MessagesAndSubscriptionsRead() throws IOException {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(m)) {
            out.writeByte(1);
            oldMessage(out);
        }
        assertThat(RedisValues.decodeMessage(m.toByteArray())).isEqualTo(MESSAGE);

        ByteArrayOutputStream s = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(s)) {
            out.writeByte(1);
            oldText(out, "x/#");
            out.writeByte(2);
            out.writeBoolean(true);
            out.writeBoolean(false);
            out.writeByte(2);
            out.writeInt(7);
        }
        assertThat(RedisValues.decodeSubscription(s.toByteArray())).isEqualTo(new StoredSubscription("x/#", 2, true, false, 2, 7));
    }

    @Test
    void newValuesAreTheSharedFormat() {
        SessionState owned = new SessionState("c", 4, 60, 1234, MESSAGE, 0, "alice");
        byte[] written = RecordCodec.session(owned);
        assertThat(written[0]).isEqualTo((byte) RecordCodec.FORMAT);
        assertThat(RedisValues.decodeSession(written)).isEqualTo(owned);
        StoredSubscription s = new StoredSubscription("a", 1, true, true, 1, 3);
        assertThat(RedisValues.decodeSubscription(RecordCodec.subscription(s))).isEqualTo(s);
    }

    @Test
    void damagedOldValuesAreReportedLikeNewOnes() throws IOException {
        byte[] old = oldSession(2, false, "alice");
        byte[] trailing = Arrays.copyOf(old, old.length + 1);
        assertThatThrownBy(() -> RedisValues.decodeSession(trailing)).isInstanceOf(CorruptRecordException.class)
                .hasMessageStartingWith("stored session does not decode: 1 unexpected trailing bytes");
        assertThatThrownBy(() -> RedisValues.decodeMessage(new byte[] {2, 0})).isInstanceOf(CorruptRecordException.class)
                .hasMessageStartingWith("stored message does not decode: unknown format 2");
    }

    private static byte[] oldSession(int format, boolean will, String owner) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(format);
            oldText(out, "c");
            out.writeInt(4);
            out.writeLong(60);
            out.writeLong(1234);
            out.writeLong(0);
            out.writeBoolean(will);
            if (will) {
                oldMessage(out);
            }
            if (owner != null) {
                oldText(out, owner);
            }
        }
        return bytes.toByteArray();
    }

    private static void oldMessage(DataOutputStream out) throws IOException {
        oldText(out, "a/b");
        out.writeByte(1);
        out.writeBoolean(true);
        out.writeInt(2);
        out.write(new byte[] {9, 8});
        out.writeInt(1);
        out.write(new byte[] {1});
        out.writeLong(11);
        out.writeLong(22);
    }

    private static void oldText(DataOutputStream out, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }
}
