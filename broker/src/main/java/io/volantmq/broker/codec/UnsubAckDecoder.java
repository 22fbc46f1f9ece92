package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.UnsubAck;

import java.util.ArrayList;
import java.util.List;

/** UNSUBACK (spec 3.11); the client side. 3.x: packet identifier only; 5.0: a reason code per filter. */
final class UnsubAckDecoder {
    private UnsubAckDecoder() {
    }

    static UnsubAck decode(ByteBuf body, ProtocolVersion version) {
        MqttReader reader = new MqttReader(body, PacketType.UNSUBACK, version);
        int packetId = reader.readPacketId();
        if (!version.isV5()) {
            reader.expectEnd();
            return new UnsubAck(packetId, List.of(), Properties.EMPTY);
        }
        Properties properties = PropertiesDecoder.read(reader);
        List<Integer> codes = new ArrayList<>(reader.remaining());
        while (reader.hasRemaining()) {
            codes.add(reader.readByte("reason code"));
        }
        if (codes.isEmpty()) {
            throw reader.malformed("UNSUBACK without a reason code (spec 3.11.3)");
        }
        return new UnsubAck(packetId, codes, properties);
    }
}
