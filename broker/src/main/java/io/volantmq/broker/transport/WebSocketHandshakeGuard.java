package io.volantmq.broker.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * Checks the WebSocket upgrade request before Netty's handshaker sees it, which would otherwise accept
 * a client offering no MQTT subprotocol, or fall back to an obsolete draft without a version header.
 * Refused with an HTTP error, a log line naming the peer and a close: a request that is not a GET, a
 * path other than the listener's, no {@code Upgrade: websocket}, a version other than 13 (RFC 6455), or
 * no subprotocol {@code mqtt} / {@code mqttv3.1} offered [MQTT-6.0.0-3]. Leaves the pipeline once the
 * request passes.
 */
final class WebSocketHandshakeGuard extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebSocketHandshakeGuard.class);
    static final List<String> SUBPROTOCOLS = List.of("mqtt", "mqttv3.1");

    private final ListenerSpec listener;

    WebSocketHandshakeGuard(ListenerSpec listener) {
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "an incomplete HTTP request");
            return;
        }
        try {
            HttpResponseStatus status = null;
            String why = null;
            if (request.decoderResult().isFailure()) {
                status = HttpResponseStatus.BAD_REQUEST;
                why = "a malformed HTTP request (" + request.decoderResult().cause().getMessage() + ")";
            } else if (!new QueryStringDecoder(request.uri()).path().equals(listener.path())) {
                status = HttpResponseStatus.NOT_FOUND;
                why = "a request for " + new QueryStringDecoder(request.uri()).path() + " (the MQTT path is "
                        + listener.path() + ")";
            } else if (request.method() != HttpMethod.GET) {
                status = HttpResponseStatus.METHOD_NOT_ALLOWED;
                why = "a " + request.method() + " request";
            } else if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
                status = HttpResponseStatus.UPGRADE_REQUIRED;
                why = "an HTTP request without Upgrade: websocket";
            } else if (!"13".equals(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
                status = HttpResponseStatus.UPGRADE_REQUIRED;
                why = "WebSocket version " + request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION)
                        + " (only 13, RFC 6455)";
            } else if (!offersMqtt(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL))) {
                status = HttpResponseStatus.BAD_REQUEST;
                why = "a WebSocket handshake without subprotocol mqtt (offered: "
                        + request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL) + ")";
            }
            if (status != null) {
                ReferenceCountUtil.release(request);
                refuse(ctx, status, why);
                return;
            }
        } catch (RuntimeException e) {
            ReferenceCountUtil.release(request);
            throw e;
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(request);
    }

    static boolean offersMqtt(String header) {
        if (header == null) {
            return false;
        }
        for (String p : header.split(",")) {
            if (SUBPROTOCOLS.contains(p.trim().toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String why) {
        log.warn("{}: {} sent {}: answered {} and closed", listener, ChannelInfo.remoteAddress(ctx.channel()), why,
                status.code());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(status.reasonPhrase() + "\n", CharsetUtil.US_ASCII));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=us-ascii")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (status == HttpResponseStatus.UPGRADE_REQUIRED) {
            response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                    .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
        }
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
