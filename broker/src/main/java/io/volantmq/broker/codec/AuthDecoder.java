package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;

/**
 * AUTH (spec 3.15, MQTT 5 only). Reason code and property length are left out together or not at
 * all: a remaining length of 0 means Success without properties.
 */
final class AuthDecoder {
    private AuthDecoder() {
    }

    static Auth decode(ByteBuf body, ProtocolVersion version) {
        MqttReader reader = new MqttReader(body, PacketType.AUTH, version);
        if (!reader.hasRemaining()) {
            return new Auth(ReasonCode.SUCCESS, Properties.EMPTY);
        }
        int reasonCode = reader.readByte("reason code");
        Properties properties = PropertiesDecoder.read(reader);
        reader.expectEnd();
        return new Auth(reasonCode, properties);
    }
}
