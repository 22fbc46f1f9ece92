package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.UnsubAck;

/** UNSUBACK (spec 3.11). 3.x: packet identifier only; 5.0: properties and one reason code per filter. */
final class UnsubAckEncoder {
    private UnsubAckEncoder() {
    }

    static int remainingLength(UnsubAck unsubAck, ProtocolVersion version) {
        MqttWriter.checkPacketId(unsubAck.packetId());
        if (!version.isV5()) {
            return 2;
        }
        MqttWriter.checkCodes(unsubAck.reasonCodes());
        return 2 + PropertiesEncoder.sectionSize(unsubAck.properties(), PacketType.UNSUBACK)
                + unsubAck.reasonCodes().size();
    }

    static void write(UnsubAck unsubAck, ProtocolVersion version, ByteBuf out) {
        out.writeShort(unsubAck.packetId());
        if (!version.isV5()) {
            return;
        }
        PropertiesEncoder.write(out, unsubAck.properties());
        for (int code : unsubAck.reasonCodes()) {
            out.writeByte(code);
        }
    }
}
