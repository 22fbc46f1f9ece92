package io.volantmq.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.channel.ChannelFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Turns WebSocket binary frames into the byte stream the MQTT decoder frames itself, and the encoder's
 * buffers into binary frames. WebSocket frame boundaries mean nothing to MQTT (spec 6.0): a packet may
 * span frames and a frame may hold several packets, so payloads (and continuation fragments of a
 * binary message) are passed on as they come, without aggregating. Any other data frame (text) is a
 * protocol violation: the connection is closed [MQTT-6.0.0-1].
 */
final class WebSocketMqttCodec extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(WebSocketMqttCodec.class);
    private final ListenerSpec listener;
    /** Inside a fragmented binary message: its continuation frames carry MQTT bytes. */
    private boolean inBinaryMessage;
    private boolean refused;

    WebSocketMqttCodec(ListenerSpec listener) {
        this.listener = listener;
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
