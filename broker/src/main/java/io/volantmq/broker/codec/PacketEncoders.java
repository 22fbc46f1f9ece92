package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.UnsubAck;
import io.volantmq.broker.protocol.Unsubscribe;

/**
 * Frames a message: fixed header, then the body written by the encoder of its type. The remaining
 * length is computed first, so the whole size is known before a byte is written.
 */
final class PacketEncoders {
    private PacketEncoders() {
    }

    /** The whole packet's size in bytes, fixed header included. */
    static int encodedSize(MqttMessage message, ProtocolVersion version) {
        int remainingLength = remainingLength(message, effectiveVersion(message, version));
        return 1 + MqttWriter.varIntSize(remainingLength) + remainingLength;
    }

    static void write(MqttMessage message, ProtocolVersion version, ByteBuf out) {
        ProtocolVersion effective = effectiveVersion(message, version);
        int remainingLength = remainingLength(message, effective);
        out.ensureWritable(1 + MqttWriter.varIntSize(remainingLength) + remainingLength);
        out.writeByte(message.type().value() << 4 | flags(message));
        MqttWriter.writeVarInt(out, remainingLength);
        int bodyStart = out.writerIndex();
        writeBody(message, effective, out);
        assert out.writerIndex() - bodyStart == remainingLength
                : message.type() + " body is " + (out.writerIndex() - bodyStart) + " bytes, not " + remainingLength;
    }

    /** A CONNECT is always written in its own version; AUTH does not exist before 5.0. */
    private static ProtocolVersion effectiveVersion(MqttMessage message, ProtocolVersion version) {
        if (message instanceof Connect connect) {
            return connect.version();
        }
        if (message.type() == PacketType.AUTH && !version.isV5()) {
            throw new IllegalArgumentException("AUTH does not exist in MQTT " + version.level());
        }
        return version;
    }

    private static int flags(MqttMessage message) {
        return message instanceof Publish publish
                ? PublishEncoder.flags(publish)
                : FixedHeader.requiredFlags(message.type());
    }

    private static int remainingLength(MqttMessage message, ProtocolVersion version) {
        return switch (message.type()) {
            case CONNECT -> ConnectEncoder.remainingLength((Connect) message);
            case CONNACK -> ConnAckEncoder.remainingLength((ConnAck) message, version);
            case PUBLISH -> PublishEncoder.remainingLength((Publish) message, version);
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> PubReplyEncoder.remainingLength((PubReply) message, version);
            case SUBSCRIBE -> SubscribeEncoder.remainingLength((Subscribe) message, version);
            case SUBACK -> SubAckEncoder.remainingLength((SubAck) message, version);
            case UNSUBSCRIBE -> UnsubscribeEncoder.remainingLength((Unsubscribe) message, version);
            case UNSUBACK -> UnsubAckEncoder.remainingLength((UnsubAck) message, version);
            case PINGREQ, PINGRESP -> 0;
            case DISCONNECT -> DisconnectEncoder.remainingLength((Disconnect) message, version);
            case AUTH -> AuthEncoder.remainingLength((Auth) message);
        };
    }

    private static void writeBody(MqttMessage message, ProtocolVersion version, ByteBuf out) {
        switch (message.type()) {
            case CONNECT -> ConnectEncoder.write((Connect) message, out);
            case CONNACK -> ConnAckEncoder.write((ConnAck) message, version, out);
            case PUBLISH -> PublishEncoder.write((Publish) message, version, out);
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> PubReplyEncoder.write((PubReply) message, version, out);
            case SUBSCRIBE -> SubscribeEncoder.write((Subscribe) message, version, out);
            case SUBACK -> SubAckEncoder.write((SubAck) message, version, out);
            case UNSUBSCRIBE -> UnsubscribeEncoder.write((Unsubscribe) message, version, out);
            case UNSUBACK -> UnsubAckEncoder.write((UnsubAck) message, version, out);
            case PINGREQ, PINGRESP -> {
                // no variable header, no payload
            }
            case DISCONNECT -> DisconnectEncoder.write((Disconnect) message, version, out);
            case AUTH -> AuthEncoder.write((Auth) message, out);
        }
    }
}
