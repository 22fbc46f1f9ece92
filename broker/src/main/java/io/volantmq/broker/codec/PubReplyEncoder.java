package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.ReasonCode;

/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP (spec 3.4-3.7). 3.x: packet identifier only. 5.0: the shortest
 * form the spec allows - no reason code for Success without properties, no property length when empty.
 */
final class PubReplyEncoder {
    private PubReplyEncoder() {
    }

    static int remainingLength(PubReply reply, ProtocolVersion version) {
        MqttWriter.checkPacketId(reply.packetId());
        if (!version.isV5()) {
            return 2;
        }
        MqttWriter.checkRange(reply.reasonCode(), 0xFF, "reason code");
        if (reply.properties().isEmpty()) {
            return reply.reasonCode() == ReasonCode.SUCCESS ? 2 : 3;
        }
        return 3 + PropertiesEncoder.sectionSize(reply.properties(), reply.type());
    }

    static void write(PubReply reply, ProtocolVersion version, ByteBuf out) {
        out.writeShort(reply.packetId());
        if (!version.isV5()) {
            return;
        }
        if (reply.properties().isEmpty()) {
            if (reply.reasonCode() != ReasonCode.SUCCESS) {
                out.writeByte(reply.reasonCode());
            }
            return;
        }
        out.writeByte(reply.reasonCode());
        PropertiesEncoder.write(out, reply.properties());
    }
}
