package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Frames and decodes MQTT packets, one instance per channel. Frame first: the fixed header is read and
 * the whole packet's size checked against the limit before any of the body is waited for, then the
 * complete frame goes to the pure decoder of its type.
 *
 * <p>Emits {@link MqttMessage}s, or once a {@link DecodeFailure}, after which it discards the rest of
 * the channel's input: the session answers the failure and closes. Nothing is thrown to the pipeline.
 *
 * <p>Until the channel's version is known (from a CONNECT, or from {@link MqttCodec#PROTOCOL_VERSION}
 * set by an encoder that sent one) packets are read as MQTT 3.1.1.
 */
public final class MqttDecoder extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(MqttDecoder.class);

    private int maxPacketSize;
    private ProtocolVersion version;
    private boolean failed;

    /** @param maxPacketSize the largest whole packet accepted, fixed header included */
    public MqttDecoder(int maxPacketSize) {
        setMaxPacketSize(maxPacketSize);
    }

    /** Changes the limit for packets not yet begun; call it on the channel's event loop. */
    public void setMaxPacketSize(int maxPacketSize) {
        if (maxPacketSize < 2) {
            throw new IllegalArgumentException("maxPacketSize below the smallest packet (2): " + maxPacketSize);
        }
        this.maxPacketSize = maxPacketSize;
    }

    public int maxPacketSize() {
        return maxPacketSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        ProtocolVersion channelVersion = channelVersion(ctx);
        PacketType type = null;
        try {
            FixedHeader header = FixedHeader.peek(in, channelVersion);
            if (header == null) {
                return;
            }
            type = header.type();
            if (header.packetSize() > maxPacketSize) {
                throw new MqttDecodeException(ReasonCode.PACKET_TOO_LARGE, type,
                        FixedHeader.versionFor(type, channelVersion), type + " of " + header.packetSize()
                        + " bytes exceeds the maximum packet size " + maxPacketSize + " (spec 3.1.2.11.4)");
            }
            if (in.readableBytes() < header.packetSize()) {
                return;
            }
            in.skipBytes(header.headerLength());
            ByteBuf body = in.readSlice(header.remainingLength());
            MqttMessage message = PacketDecoders.decode(header, body, channelVersion);
            if (message instanceof Connect connect) {
                rememberVersion(ctx, connect.version());
            }
            out.add(message);
        } catch (MqttDecodeException e) {
            if (e.packetType() == PacketType.CONNECT && e.version() != null) {
                rememberVersion(ctx, e.version());
            }
            fail(in, out, DecodeFailure.of(e));
        } catch (RuntimeException e) {
            // a bug of ours, not the peer's: still answer and close rather than let it reach the pipeline
            log.warn("unexpected error decoding {} on {}", type, ctx.channel(), e);
            fail(in, out, new DecodeFailure(type, channelVersion, ReasonCode.UNSPECIFIED_ERROR,
                    "internal decoder error: " + e));
        }
    }

    private void fail(ByteBuf in, List<Object> out, DecodeFailure failure) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(failure);
    }

    private ProtocolVersion channelVersion(ChannelHandlerContext ctx) {
        if (version == null) {
            version = ctx.channel().attr(MqttCodec.PROTOCOL_VERSION).get();
        }
        return version != null ? version : ProtocolVersion.MQTT_3_1_1;
    }

    /** The first CONNECT decides the channel's version [MQTT-3.1.0-2: a second one is the session's error]. */
    private void rememberVersion(ChannelHandlerContext ctx, ProtocolVersion connectVersion) {
        if (version == null) {
            ProtocolVersion earlier = ctx.channel().attr(MqttCodec.PROTOCOL_VERSION).setIfAbsent(connectVersion);
            version = earlier != null ? earlier : connectVersion;
        }
    }
}
