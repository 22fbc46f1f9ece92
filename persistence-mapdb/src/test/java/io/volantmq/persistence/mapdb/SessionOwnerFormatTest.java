package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.SessionState;
import org.junit.jupiter.api.Test;
import org.mapdb.DataInput2;
import org.mapdb.DataOutput2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Session values written before sessions had an owner still read, as unowned. */
class SessionOwnerFormatTest {

    @Test
    void aFormat1ValueReadsAsUnowned() throws IOException {
        DataOutput2 out = new DataOutput2();
        out.writeByte(1);
        byte[] id = "c".getBytes(StandardCharsets.UTF_8);
        out.packInt(id.length);
        out.write(id);
        out.writeByte(4);
        out.writeLong(60);
        out.writeLong(1234);
        out.writeLong(0);
        out.writeBoolean(false);

        SessionState read = MapDbSerializers.SESSION.deserialize(new DataInput2.ByteArray(out.copyBytes()), -1);

        assertThat(read).isEqualTo(new SessionState("c", 4, 60, 1234, null, 0));
    }

    @Test
    void anUnownedSessionIsStillWrittenAsFormat1AndAnOwnedOneAsFormat2() throws IOException {
        DataOutput2 unowned = new DataOutput2();
        MapDbSerializers.SESSION.serialize(unowned, new SessionState("c", 4, 60, 1234, null, 0));
        DataOutput2 owned = new DataOutput2();
        SessionState state = new SessionState("c", 4, 60, 1234, null, 0, "alice");
        MapDbSerializers.SESSION.serialize(owned, state);

        assertThat(unowned.copyBytes()[0]).isEqualTo((byte) 1);
        assertThat(owned.copyBytes()[0]).isEqualTo((byte) 2);
        assertThat(MapDbSerializers.SESSION.deserialize(new DataInput2.ByteArray(owned.copyBytes()), -1))
                .isEqualTo(state);
    }
}
