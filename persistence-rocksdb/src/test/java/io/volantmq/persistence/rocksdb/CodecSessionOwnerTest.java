package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.SessionState;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/** Session values written before sessions had an owner still read, as unowned. */
class CodecSessionOwnerTest {

    @Test
    void aValueInTheLayoutBeforeOwnersReadsAsUnowned() {
        // format 1, level 4, expiry, disconnected at, will delay, no will: nothing after it
        byte[] old = ByteBuffer.allocate(1 + 1 + 24 + 1).put((byte) 1).put((byte) 4).putLong(60).putLong(1234)
                .putLong(0).put((byte) 0).array();

        SessionState read = Codec.session("c", old);

        assertThat(read).isEqualTo(new SessionState("c", 4, 60, 1234, null, 0));
        assertThat(read.owner()).isNull();
    }

    @Test
    void anUnownedSessionIsWrittenInTheOldLayoutSoOlderBrokersReadIt() {
        byte[] written = Codec.session(new SessionState("c", 4, 60, 1234, null, 0));
        assertThat(written).hasSize(1 + 1 + 24 + 1);
    }
}
