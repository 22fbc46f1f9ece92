package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;

/**
 * CONNACK (spec 3.2). The reason code goes out as given: towards 3.x the caller has already picked a
 * 3.x return code ({@code ReasonCode.toV3ConnAck}).
 */
final class ConnAckEncoder {
    private ConnAckEncoder() {
    }

    static int remainingLength(ConnAck connAck, ProtocolVersion version) {
        MqttWriter.checkRange(connAck.reasonCode(), 0xFF, "reason code");
        return 2 + (version.isV5() ? PropertiesEncoder.sectionSize(connAck.properties(), PacketType.CONNACK) : 0);
    }

    static void write(ConnAck connAck, ProtocolVersion version, ByteBuf out) {
        // MQTT 3.1 has no session present flag
        boolean sessionPresent = connAck.sessionPresent() && version != ProtocolVersion.MQTT_3_1;
        out.writeByte(sessionPresent ? 1 : 0);
        out.writeByte(connAck.reasonCode());
        if (version.isV5()) {
            PropertiesEncoder.write(out, connAck.properties());
        }
    }
}
