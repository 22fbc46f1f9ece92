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
import io.volantmq.broker.LogSafe;
import io.volantmq.broker.session.ChannelInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks the WebSocket upgrade request before Netty's handshaker sees it, which would otherwise accept
 * a client offering no MQTT subprotocol, or fall back to an obsolete draft without a version header.
 * Refused with an HTTP error, a log line naming the peer and a close: a request that is not a GET, a
 * path other than the listener's, no {@code Upgrade: websocket}, a version other than 13 (RFC 6455), or
 * no subprotocol {@code mqtt} / {@code mqttv3.1} offered [MQTT-6.0.0-3], or (with {@code ws.allowedOrigins}
 * set) an {@code Origin} header not in that list: 403, so a web page of another site cannot open an MQTT
 * connection with the browser of someone who visits it. A request without {@code Origin} (not from a
 * browser) is not affected. Leaves the pipeline once the request passes.
 */
final class WebSocketHandshakeGuard extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WebSocketHandshakeGuard.class);
    static final List<String> SUBPROTOCOLS = List.of("mqtt", "mqttv3.1");

    private final ListenerSpec listener;
    /** Lower-case origins a browser may open a connection from; empty: any. */
    private final Set<String> allowedOrigins;

    WebSocketHandshakeGuard(ListenerSpec listener, Set<String> allowedOrigins) {
        this.listener = listener;
        this.allowedOrigins = allowedOrigins;
    }

    /**
     * {@code ws.allowedOrigins} of the listener (or broker-wide): origins such as
     * {@code https://app.example.com} separated by commas or spaces (in a listener URI write a comma as
     * {@code %2C}: a plain one before {@code scheme://} starts the next listener). Empty: any origin.
     */
    static Set<String> allowedOrigins(ListenerSpec listener) {
        String value = listener.settings().get("ws.allowedOrigins");
        if (value == null) {
            return Set.of();
        }
        Set<String> origins = new LinkedHashSet<>();
        for (String origin : value.split("[,\\s]+")) {
            if (!origin.isBlank()) {
                origins.add(normalize(origin));
            }
        }
        return Set.copyOf(origins);
    }

    /** Scheme and host are case-insensitive (RFC 6454); a trailing slash is not part of an origin. */
    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
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
            } else if (!allowedOrigins.isEmpty() && request.headers().contains(HttpHeaderNames.ORIGIN)
                    && !allowedOrigins.contains(normalize(request.headers().get(HttpHeaderNames.ORIGIN)))) {
                status = HttpResponseStatus.FORBIDDEN;
                why = "a WebSocket handshake from origin '" + request.headers().get(HttpHeaderNames.ORIGIN)
                        + "', not in ws.allowedOrigins";
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
        // why quotes header values and the path: client-controlled
        log.warn("{}: {} sent {}: answered {} and closed", listener, ChannelInfo.remoteAddress(ctx.channel()),
                LogSafe.escape(why), status.code());
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
