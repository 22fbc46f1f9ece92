package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;

/**
 * DISCONNECT (spec 3.14). 3.x: empty. 5.0: a remaining length of 0 means Normal disconnection, and
 * below 2 the property length is left out (3.14.2.2.1).
 */
final class DisconnectDecoder {
    private DisconnectDecoder() {
    }

    static Disconnect decode(ByteBuf body, ProtocolVersion version) {
        MqttReader reader = new MqttReader(body, PacketType.DISCONNECT, version);
        if (!version.isV5() || !reader.hasRemaining()) {
            reader.expectEnd();
            return Disconnect.NORMAL;
        }
        int reasonCode = reader.readByte("reason code");
        Properties properties = reader.hasRemaining() ? PropertiesDecoder.read(reader) : Properties.EMPTY;
        reader.expectEnd();
        return new Disconnect(reasonCode, properties);
    }
}
