package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.ProtocolVersion;

/** Picks the decoder of a packet type. The fixed header has been checked by {@link FixedHeader}. */
final class PacketDecoders {
    private PacketDecoders() {
    }

    /**
     * @param body    exactly the packet's remaining length bytes
     * @param version the channel's version; a CONNECT brings its own
     */
    static MqttMessage decode(FixedHeader header, ByteBuf body, ProtocolVersion version) {
        return switch (header.type()) {
            case CONNECT -> ConnectDecoder.decode(body);
            case CONNACK -> ConnAckDecoder.decode(body, version);
            case PUBLISH -> PublishDecoder.decode(header.flags(), body, version);
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> PubReplyDecoder.decode(header.type(), body, version);
            case SUBSCRIBE -> SubscribeDecoder.decode(body, version);
            case SUBACK -> SubAckDecoder.decode(body, version);
            case UNSUBSCRIBE -> UnsubscribeDecoder.decode(body, version);
            case UNSUBACK -> UnsubAckDecoder.decode(body, version);
            case PINGREQ, PINGRESP -> PingDecoder.decode(header.type(), body, version);
            case DISCONNECT -> DisconnectDecoder.decode(body, version);
            case AUTH -> AuthDecoder.decode(body, version);
        };
    }
}
