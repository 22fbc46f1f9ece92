package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.ProtocolVersion;

/** PINGREQ and PINGRESP (spec 3.12, 3.13): no variable header, no payload. */
final class PingDecoder {
    private PingDecoder() {
    }

    static MqttMessage decode(PacketType type, ByteBuf body, ProtocolVersion version) {
        new MqttReader(body, type, version).expectEnd();
        return type == PacketType.PINGREQ ? PingReq.INSTANCE : PingResp.INSTANCE;
    }
}
