package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
 * <p>A broker's decoder ({@link #forBroker}) starts with a small limit for the packets before the CONNECT
 * is accepted, and decodes nothing after a CONNECT but AUTH packets until {@link #connectAccepted}: what
 * a client sends behind its CONNECT [MQTT 3.1.4] waits here as raw bytes, at most as many as that limit,
 * and is decoded in order once the CONNACK has gone out, or never when the CONNECT is refused
 * [MQTT-3.1.4-5].
 *
 * <p>Until the channel's version is known (from a CONNECT, or from {@link MqttCodec#PROTOCOL_VERSION}
 * set by an encoder that sent one) packets are read as MQTT 3.1.1.
 */
public final class MqttDecoder extends ByteToMessageDecoder {
    private static final Logger log = LoggerFactory.getLogger(MqttDecoder.class);

    private static final int AUTH_TYPE = 15;

    private int maxPacketSize;
    private ProtocolVersion version;
    private boolean failed;
    /** Holds the bytes behind the CONNECT until it is accepted; only a broker's decoder does. */
    private final boolean holdAfterConnect;
    private boolean holding;
    private boolean accepted;
    private ChannelHandlerContext ctx;

    /** A decoder that decodes every packet as it comes (clients, tests of the codec). */
    public MqttDecoder(int maxPacketSize) {
        this(maxPacketSize, false);
    }

    private MqttDecoder(int maxPacketSize, boolean holdAfterConnect) {
        setMaxPacketSize(maxPacketSize);
        this.holdAfterConnect = holdAfterConnect;
    }

    /**
     * A broker's decoder: packets up to {@code preConnectLimit} bytes until {@link #connectAccepted}, and
     * what follows the CONNECT held (at most that many bytes) until then.
     */
    public static MqttDecoder forBroker(int preConnectLimit) {
        return new MqttDecoder(preConnectLimit, true);
    }

    /**
     * The CONNECT was accepted and its CONNACK written: packets up to {@code maxPacketSize} from now on,
     * and the bytes held behind the CONNECT are decoded now, in order. Call it on the channel's event loop.
     */
    public void connectAccepted(int maxPacketSize) {
        setMaxPacketSize(maxPacketSize);
        accepted = true;
        if (holding) {
            holding = false;
            ByteBuf held = internalBuffer();
            if (ctx != null && held.isReadable()) {
                // no new bytes may come (reads were paused): decode what is here as if it had just arrived
                try {
                    channelRead(ctx, Unpooled.EMPTY_BUFFER);
                    channelReadComplete(ctx);
                } catch (Exception e) {
                    ctx.fireExceptionCaught(e);
                }
            }
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
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
        if (holding && in.isReadable() && in.getUnsignedByte(in.readerIndex()) >>> 4 != AUTH_TYPE) {
            if (in.readableBytes() > maxPacketSize) {
                // [MQTT 3.1.4] allowed, but not without a bound: the pre-CONNECT limit
                fail(in, out, new DecodeFailure(null, channelVersion(ctx), ReasonCode.QUOTA_EXCEEDED,
                        "more than " + maxPacketSize + " bytes sent behind the CONNECT before its CONNACK"
                                + " (maxConnectPacketSize)"));
            }
            return; // decoded once the CONNECT is accepted, or never [MQTT-3.1.4-5]
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
                ProtocolVersion failedVersion = type == PacketType.CONNECT
                        ? connectVersion(in, header.headerLength()) : channelVersion;
                throw new MqttDecodeException(ReasonCode.PACKET_TOO_LARGE, type, failedVersion, type + " of "
                        + header.packetSize() + " bytes exceeds the " + (accepted || !holdAfterConnect ? ""
                        : "pre-CONNECT ") + "maximum packet size " + maxPacketSize + " (spec 3.1.2.11.4)");
            }
            if (in.readableBytes() < header.packetSize()) {
                return;
            }
            in.skipBytes(header.headerLength());
            ByteBuf body = in.readSlice(header.remainingLength());
            MqttMessage message = PacketDecoders.decode(header, body, channelVersion);
            if (message instanceof Connect connect) {
                rememberVersion(ctx, connect.version());
                holding = holdAfterConnect && !accepted;
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
        holding = false;
        in.skipBytes(in.readableBytes());
        if (ctx != null) {
            ctx.channel().config().setAutoRead(false); // the connection is answered and closed: read no more
        }
        out.add(failure);
    }

    /**
     * The protocol level of a CONNECT whose body is not read (too large), when its first bytes are here:
     * an MQTT 5 client can then be answered 0x95; null when unknown.
     */
    private static ProtocolVersion connectVersion(ByteBuf in, int headerLength) {
        int start = in.readerIndex() + headerLength;
        if (in.writerIndex() < start + 2) {
            return null;
        }
        int nameLength = in.getUnsignedShort(start);
        int levelAt = start + 2 + nameLength;
        return nameLength <= 6 && in.writerIndex() > levelAt
                ? ProtocolVersion.ofLevel(in.getUnsignedByte(levelAt)) : null;
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
