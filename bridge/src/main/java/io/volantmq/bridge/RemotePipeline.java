package io.volantmq.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.codec.MqttEncoder;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.net.URI;
import java.util.List;

/** The client side pipeline towards a remote broker: TLS and WebSocket as the address says, then our own codec. */
final class RemotePipeline {
    /** Fired once the transport is ready for CONNECT (at once for TCP/TLS, after the handshake for WebSocket). */
    static final Object READY = new Object();

    private RemotePipeline() {
    }

    static SslContext sslContext(BridgeConfig.Tls tls) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (tls.caFile() != null) {
                b.trustManager(tls.caFile().toFile());
            }
            if (tls.certFile() != null) {
                b.keyManager(tls.certFile().toFile(), tls.keyFile().toFile(), tls.keyPassword());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("bridge TLS files could not be loaded: " + e.getMessage(), e);
        }
    }

    static void build(ChannelPipeline p, URI address, SslContext ssl, BridgeConfig.Tls tls, int maxPacketSize) {
        String scheme = address.getScheme().toLowerCase(java.util.Locale.ROOT);
        boolean secure = scheme.equals("ssl") || scheme.equals("wss");
        if (secure) {
            String host = tls.serverName() != null ? tls.serverName() : address.getHost();
            SslHandler handler = ssl.newHandler(p.channel().alloc(), host, address.getPort()); // SNI
            if (tls.hostnameCheck()) {
                SSLEngine engine = handler.engine();
                SSLParameters params = engine.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(params);
            }
            p.addLast("tls", handler);
        }
        if (scheme.startsWith("ws")) {
            String path = address.getRawPath() == null || address.getRawPath().isEmpty() ? "/mqtt" : address.getRawPath();
            URI wsUri = URI.create((secure ? "wss" : "ws") + "://" + address.getHost() + ":" + address.getPort() + path);
            p.addLast(new HttpClientCodec());
            p.addLast(new HttpObjectAggregator(65_536));
            p.addLast(new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(wsUri).subprotocol("mqtt").maxFramePayloadLength(maxPacketSize)
                    .handleCloseFrames(true).build()));
            p.addLast(new MessageToMessageDecoder<BinaryWebSocketFrame>() {
                @Override
                protected void decode(ChannelHandlerContext ctx, BinaryWebSocketFrame frame, List<Object> out) {
                    out.add(frame.content().retain());
                }
            });
            p.addLast(new MessageToMessageEncoder<ByteBuf>() {
                @Override
                protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
                    out.add(new BinaryWebSocketFrame(msg.retain()));
                }
            });
            p.addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                    if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                        ctx.fireUserEventTriggered(READY);
                    }
                    super.userEventTriggered(ctx, evt);
                }
            });
        } else {
            p.addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) throws Exception {
                    super.channelActive(ctx);
                    if (!secure) {
                        ctx.fireUserEventTriggered(READY);
                    }
                }

                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                    if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent e && e.isSuccess()) {
                        ctx.fireUserEventTriggered(READY);
                    }
                    super.userEventTriggered(ctx, evt);
                }
            });
        }
        p.addLast("decoder", new MqttDecoder(maxPacketSize));
        p.addLast("encoder", MqttEncoder.INSTANCE);
    }
}
