package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.SubAck;

/** SUBACK (spec 3.9): the codes go out as given; towards 3.x the caller picks 3.x return codes. */
final class SubAckEncoder {
    private SubAckEncoder() {
    }

    static int remainingLength(SubAck subAck, ProtocolVersion version) {
        MqttWriter.checkPacketId(subAck.packetId());
        MqttWriter.checkCodes(subAck.reasonCodes());
        int size = 2 + subAck.reasonCodes().size();
        if (version.isV5()) {
            size += PropertiesEncoder.sectionSize(subAck.properties(), PacketType.SUBACK);
        }
        return size;
    }

    static void write(SubAck subAck, ProtocolVersion version, ByteBuf out) {
        out.writeShort(subAck.packetId());
        if (version.isV5()) {
            PropertiesEncoder.write(out, subAck.properties());
        }
        for (int code : subAck.reasonCodes()) {
            out.writeByte(code);
        }
    }
}
