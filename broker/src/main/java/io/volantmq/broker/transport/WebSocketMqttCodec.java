package io.volantmq.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.channel.ChannelFutureListener;
import io.volantmq.broker.session.MqttConnection;
import io.volantmq.broker.session.ChannelInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Turns WebSocket binary frames into the byte stream the MQTT decoder frames itself, and the encoder's
 * buffers into binary frames. WebSocket frame boundaries mean nothing to MQTT (spec 6.0): a packet may
 * span frames and a frame may hold several packets, so payloads (and continuation fragments of a
 * binary message) are passed on as they come, without aggregating. Any other data frame (text) is a
 * protocol violation: the connection is closed [MQTT-6.0.0-1].
 *
 * <p>Frames are bounded by maxConnectPacketSize until the CONNECT is accepted (the handshake's frame
 * decoder), then by maxPacketSize: on {@link MqttConnection#CONNECT_ACCEPTED} the frame decoder is
 * replaced by one with the larger limit.
 */
final class WebSocketMqttCodec extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(WebSocketMqttCodec.class);
    /** The name Netty's handshaker gives the frame decoder it installs. */
    private static final String WS_DECODER = "wsdecoder";
    private final ListenerSpec listener;
    /** Inside a fragmented binary message: its continuation frames carry MQTT bytes. */
    private boolean inBinaryMessage;
    private boolean refused;

    WebSocketMqttCodec(ListenerSpec listener) {
        this.listener = listener;
    }

    /** The frame decoder for after the CONNECT: as the handshake's (RFC 6455, masked, no extensions). */
    private WebSocketDecoderConfig connectedFrames() {
        return WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(listener.maxPacketSize())
                .expectMaskedFrames(true).allowMaskMismatch(false).allowExtensions(false)
                .closeOnProtocolViolation(true).build();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == MqttConnection.CONNECT_ACCEPTED
                && ctx.pipeline().get(WS_DECODER) instanceof WebSocket13FrameDecoder) {
            // bytes the old decoder holds are handed to the new one (ByteToMessageDecoder on removal)
            ctx.pipeline().replace(WS_DECODER, WS_DECODER, new WebSocket13FrameDecoder(connectedFrames()));
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (cause instanceof CorruptedWebSocketFrameException) {
            // Netty's frame decoder has sent its close frame (e.g. 1009 for a frame over the limit)
            log.warn("{}: {} sent a bad WebSocket frame: {}: closing", listener,
                    ChannelInfo.remoteAddress(ctx.channel()), cause.getMessage());
        }
        super.exceptionCaught(ctx, cause);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
        out.add(new BinaryWebSocketFrame(msg.retain()));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (refused) {
            return;
        }
        if (frame instanceof BinaryWebSocketFrame) {
            inBinaryMessage = !frame.isFinalFragment();
            out.add(frame.content().retain());
        } else if (frame instanceof ContinuationWebSocketFrame && inBinaryMessage) {
            inBinaryMessage = !frame.isFinalFragment();
            out.add(frame.content().retain());
        } else if (frame instanceof CloseWebSocketFrame) {
            ctx.close(); // the protocol handler answers close frames; one reaching here ends the connection too
        } else if (!(frame instanceof PingWebSocketFrame) && !(frame instanceof PongWebSocketFrame) && !refused) {
            refused = true;
            log.warn("{}: {} sent a {} where MQTT needs binary frames [MQTT-6.0.0-1]: closing", listener,
                    ChannelInfo.remoteAddress(ctx.channel()), frame.getClass().getSimpleName());
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }
}
