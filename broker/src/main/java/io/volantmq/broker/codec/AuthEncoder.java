package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ReasonCode;

/** AUTH (spec 3.15, MQTT 5 only): empty for Success without properties. */
final class AuthEncoder {
    private AuthEncoder() {
    }

    static int remainingLength(Auth auth) {
        MqttWriter.checkRange(auth.reasonCode(), 0xFF, "reason code");
        if (isShortForm(auth)) {
            return 0;
        }
        return 1 + PropertiesEncoder.sectionSize(auth.properties(), PacketType.AUTH);
    }

    static void write(Auth auth, ByteBuf out) {
        if (isShortForm(auth)) {
            return;
        }
        out.writeByte(auth.reasonCode());
        PropertiesEncoder.write(out, auth.properties());
    }

    private static boolean isShortForm(Auth auth) {
        return auth.reasonCode() == ReasonCode.SUCCESS && auth.properties().isEmpty();
    }
}
