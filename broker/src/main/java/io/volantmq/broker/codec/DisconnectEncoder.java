package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;

/**
 * DISCONNECT (spec 3.14). 3.x: empty. 5.0: empty for Normal disconnection without properties, the
 * reason code alone when there are no properties, else reason code and properties.
 */
final class DisconnectEncoder {
    private DisconnectEncoder() {
    }

    static int remainingLength(Disconnect disconnect, ProtocolVersion version) {
        if (!version.isV5()) {
            return 0;
        }
        MqttWriter.checkRange(disconnect.reasonCode(), 0xFF, "reason code");
        if (disconnect.properties().isEmpty()) {
            return disconnect.reasonCode() == ReasonCode.NORMAL_DISCONNECTION ? 0 : 1;
        }
        return 1 + PropertiesEncoder.sectionSize(disconnect.properties(), PacketType.DISCONNECT);
    }

    static void write(Disconnect disconnect, ProtocolVersion version, ByteBuf out) {
        if (!version.isV5()) {
            return;
        }
        boolean noProperties = disconnect.properties().isEmpty();
        if (noProperties && disconnect.reasonCode() == ReasonCode.NORMAL_DISCONNECTION) {
            return;
        }
        out.writeByte(disconnect.reasonCode());
        if (!noProperties) {
            PropertiesEncoder.write(out, disconnect.properties());
        }
    }
}
