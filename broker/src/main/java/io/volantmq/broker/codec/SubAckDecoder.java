package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.SubAck;

import java.util.ArrayList;
import java.util.List;

/** SUBACK (spec 3.9); the client side. One code per filter of the SUBSCRIBE, so at least one. */
final class SubAckDecoder {
    private SubAckDecoder() {
    }

    static SubAck decode(ByteBuf body, ProtocolVersion version) {
        MqttReader reader = new MqttReader(body, PacketType.SUBACK, version);
        int packetId = reader.readPacketId();
        Properties properties = version.isV5() ? PropertiesDecoder.read(reader) : Properties.EMPTY;
        List<Integer> codes = new ArrayList<>(reader.remaining());
        while (reader.hasRemaining()) {
            int code = reader.readByte("return code");
            if (!version.isV5() && code > ReasonCode.GRANTED_QOS_2 && code != ReasonCode.V3_SUBACK_FAILURE) {
                throw reader.malformed("SUBACK with reserved return code 0x" + Integer.toHexString(code)
                        + " [MQTT-3.9.3-2]");
            }
            codes.add(code);
        }
        if (codes.isEmpty()) {
            throw reader.malformed("SUBACK without a return code (spec 3.9.3)");
        }
        return new SubAck(packetId, codes, properties);
    }
}
