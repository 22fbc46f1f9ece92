package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.ReasonCode;

/**
 * PUBACK, PUBREC, PUBREL and PUBCOMP (spec 3.4-3.7). In 5.0 the reason code may be left out (success)
 * and so may the property length (empty) when the remaining length is below 4.
 */
final class PubReplyDecoder {
    private PubReplyDecoder() {
    }

    static PubReply decode(PacketType type, ByteBuf body, ProtocolVersion version) {
        MqttReader reader = new MqttReader(body, type, version);
        int packetId = reader.readPacketId();
        int reasonCode = ReasonCode.SUCCESS;
        Properties properties = Properties.EMPTY;
        if (version.isV5()) {
            if (reader.hasRemaining()) {
                reasonCode = reader.readByte("reason code");
            }
            if (reader.hasRemaining()) {
                properties = PropertiesDecoder.read(reader);
            }
        }
        reader.expectEnd();
        return new PubReply(type, packetId, reasonCode, properties);
    }
}
