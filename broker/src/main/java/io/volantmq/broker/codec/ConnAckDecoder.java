package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;

/** CONNACK (spec 3.2); the client side. A 3.x return code is kept as it is on the wire. */
final class ConnAckDecoder {
    private ConnAckDecoder() {
    }

    static ConnAck decode(ByteBuf body, ProtocolVersion version) {
        MqttReader reader = new MqttReader(body, PacketType.CONNACK, version);
        int ackFlags = reader.readByte("connect acknowledge flags");
        // MQTT 3.1 has no session present flag: the whole byte is unused there
        boolean sessionPresent = version != ProtocolVersion.MQTT_3_1 && (ackFlags & 0x01) != 0;
        if (version != ProtocolVersion.MQTT_3_1 && (ackFlags & 0xFE) != 0) {
            throw reader.malformed("CONNACK with reserved acknowledge flags set (spec 3.2.2.1)");
        }
        int reasonCode = reader.readByte("reason code");
        Properties properties = version.isV5() ? PropertiesDecoder.read(reader) : Properties.EMPTY;
        reader.expectEnd();
        return new ConnAck(sessionPresent, reasonCode, properties);
    }
}
