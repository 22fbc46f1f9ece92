package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Unsubscribe;

/** UNSUBSCRIBE (spec 3.10); for clients and tests. */
final class UnsubscribeEncoder {
    private UnsubscribeEncoder() {
    }

    static int remainingLength(Unsubscribe unsubscribe, ProtocolVersion version) {
        MqttWriter.checkPacketId(unsubscribe.packetId());
        if (unsubscribe.filters().isEmpty()) {
            throw new IllegalArgumentException("UNSUBSCRIBE needs a topic filter [MQTT-3.10.3-2]");
        }
        int size = 2;
        if (version.isV5()) {
            size += PropertiesEncoder.sectionSize(unsubscribe.properties(), PacketType.UNSUBSCRIBE);
        }
        for (String filter : unsubscribe.filters()) {
            size += MqttWriter.utf8Size(filter);
        }
        return size;
    }

    static void write(Unsubscribe unsubscribe, ProtocolVersion version, ByteBuf out) {
        out.writeShort(unsubscribe.packetId());
        if (version.isV5()) {
            PropertiesEncoder.write(out, unsubscribe.properties());
        }
        for (String filter : unsubscribe.filters()) {
            MqttWriter.writeUtf8(out, filter);
        }
    }
}
