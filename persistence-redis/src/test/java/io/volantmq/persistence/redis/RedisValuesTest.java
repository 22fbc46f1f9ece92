package io.volantmq.persistence.redis;

import io.volantmq.persistence.SessionState;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Session values written before sessions had an owner still read, as unowned. */
class RedisCodecSessionOwnerTest {

    @Test
    void aFormat1ValueReadsAsUnowned() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            byte[] id = "c".getBytes(StandardCharsets.UTF_8);
            out.writeInt(id.length);
            out.write(id);
            out.writeInt(4);
            out.writeLong(60);
            out.writeLong(1234);
            out.writeLong(0);
            out.writeBoolean(false);
        }

        assertThat(RedisCodec.decodeSession(bytes.toByteArray())).isEqualTo(new SessionState("c", 4, 60, 1234, null, 0));
    }

    @Test
    void anUnownedSessionIsStillWrittenAsFormat1AndAnOwnedOneAsFormat2() throws IOException {
        SessionState owned = new SessionState("c", 4, 60, 1234, null, 0, "alice");
        assertThat(RedisCodec.encode(new SessionState("c", 4, 60, 1234, null, 0))[0]).isEqualTo((byte) 1);
        assertThat(RedisCodec.encode(owned)[0]).isEqualTo((byte) 2);
        assertThat(RedisCodec.decodeSession(RedisCodec.encode(owned))).isEqualTo(owned);
    }
}
