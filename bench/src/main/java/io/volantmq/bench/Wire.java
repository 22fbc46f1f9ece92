package io.volantmq.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What carries MQTT between the tool and the broker: plain TCP, TLS, WebSocket, or WebSocket over TLS.
 * Every scenario builds its client pipelines through {@link #initChannel}; only the handlers in front of
 * the MQTT codec differ.
 * <ul>
 *   <li>TLS: OpenSSL's engine (BoringSSL, netty-tcnative) where it loads, else the JDK's
 *   ({@code --tls-provider}), trusting the PEM CA file given, or anything at all
 *   (loudly, see {@link #warning()}) without one. By default every connection makes a full handshake:
 *   engines are created without the peer's host and port, so the JDK has no session to resume (and
 *   checks the chain but not the host name). With resumption on, engines know host and port (SNI,
 *   host name checked against the CA's certificate), and the JDK resumes a session when it holds a
 *   TLS 1.3 ticket for the broker; with many connects under way at once it mostly does not (a session
 *   cached before its ticket arrived has no PSK), so this is no way to measure
 *   resumed handshakes at a high connect rate.</li>
 *   <li>WebSocket: an HTTP upgrade with subprotocol {@code mqtt}, then MQTT bytes in masked binary frames,
 *   one frame per MQTT packet written; frames received are unwrapped into the decoder's byte stream
 *   whatever their boundaries. The CONNECT waits for the upgrade to complete.</li>
 * </ul>
 */
final class Wire {
    static final Wire TCP = new Wire(null, false, null, null, false, null, null);

    private final SslContext ssl;
    private final boolean insecure;
    private final String tlsVersion;
    private final Path caFile;
    private final boolean resume;
    private final String wsPath;
    private final SslProvider provider;

    private Wire(SslContext ssl, boolean insecure, String tlsVersion, Path caFile, boolean resume, String wsPath,
                 SslProvider provider) {
        this.ssl = ssl;
        this.insecure = insecure;
        this.tlsVersion = tlsVersion;
        this.caFile = caFile;
        this.resume = resume;
        this.wsPath = wsPath;
        this.provider = provider;
    }

    /**
     * Validates the command line's transport options and builds the TLS context once per run.
     *
     * @param tls        TLS on
     * @param caFile     PEM CA certificates to trust; null trusts any certificate
     * @param tlsVersion {@code 1.2}, {@code 1.3}, {@code TLSv1.2} or {@code TLSv1.3}; null for the JDK's choice
     * @param resume     let the JDK resume TLS sessions (otherwise a full handshake per connection)
     * @param wsPath     the WebSocket path (starting with {@code /}); null for MQTT straight on the stream
     * @param provider   {@code openssl}, {@code jdk} or {@code auto} (null): OpenSSL where it loads, so that
     *                   the client's handshakes (the JDK's cost more CPU) do not limit the run
     */
    static Wire of(boolean tls, Path caFile, String tlsVersion, boolean resume, String wsPath, String provider) {
        if (!tls && (caFile != null || tlsVersion != null || resume || provider != null)) {
            throw new IllegalArgumentException("--cafile, --tls-version, --tls-resume and --tls-provider need --tls");
        }
        if (wsPath != null && !wsPath.startsWith("/")) {
            throw new IllegalArgumentException("--ws takes a path starting with /, e.g. /mqtt, not " + wsPath);
        }
        if (!tls) {
            return wsPath == null ? TCP : new Wire(null, false, null, null, false, wsPath, null);
        }
        String version = tlsVersion == null ? null : switch (tlsVersion) {
            case "1.2", "TLSv1.2" -> "TLSv1.2";
            case "1.3", "TLSv1.3" -> "TLSv1.3";
            default -> throw new IllegalArgumentException("--tls-version must be 1.2 or 1.3, not " + tlsVersion);
        };
        if (caFile != null && !Files.isReadable(caFile)) {
            throw new IllegalArgumentException("--cafile " + caFile + " is not a readable file");
        }
        SslProvider sslProvider = switch (provider == null ? "auto" : provider) {
            case "auto" -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
            case "openssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalArgumentException("--tls-provider openssl: OpenSSL (netty-tcnative) does not "
                            + "load here: " + OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            case "jdk" -> SslProvider.JDK;
            default -> throw new IllegalArgumentException("--tls-provider must be auto, openssl or jdk, not " + provider);
        };
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(sslProvider);
        if (caFile != null) {
            builder.trustManager(caFile.toFile());
        } else {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        }
        // the host name can only be checked when the engine knows it, i.e. with resumption on
        builder.endpointIdentificationAlgorithm(resume && caFile != null ? "HTTPS" : null);
        if (version != null) {
            builder.protocols(version);
        }
        try {
            return new Wire(builder.build(), caFile == null, version, caFile, resume, wsPath, sslProvider);
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot set up TLS" + (caFile != null ? " with --cafile " + caFile : "")
                    + ": " + e.getMessage(), e);
        }
    }

    boolean tls() {
        return ssl != null;
    }

    boolean webSocket() {
        return wsPath != null;
    }

    /** {@code tcp}, {@code ssl}, {@code ws} or {@code wss}: the broker listener's scheme this wire talks to. */
    String scheme() {
        return tls() ? (webSocket() ? "wss" : "ssl") : (webSocket() ? "ws" : "tcp");
    }

    /** One line for the progress output. */
    String describe() {
        StringBuilder s = new StringBuilder(scheme());
        if (webSocket()) {
            s.append(" path ").append(wsPath).append(" (subprotocol mqtt)");
        }
        if (tls()) {
            s.append(", TLS ").append(tlsVersion != null ? tlsVersion : "TLSv1.3/TLSv1.2")
                    .append(provider == SslProvider.JDK ? " by the JDK" : " by OpenSSL (" + OpenSsl.versionString() + ")")
                    .append(insecure ? ", server certificate NOT checked" : ", trusting " + caFile)
                    .append(resume ? ", sessions resumed where offered" : ", a full handshake per connection");
        }
        return s.toString();
    }

    /** The warning to print when the server's certificate is not checked, or null. */
    String warning() {
        return insecure
                ? "WARNING: --tls without --cafile: the broker's certificate is NOT checked (anything is trusted). "
                + "Fine on loopback for load; never for anything that matters."
                : null;
    }

    /**
     * Puts this wire's handlers on a new client channel, then the MQTT handlers. Returns the TLS handler
     * (for the negotiated session), or null without TLS.
     *
     * @param maxFramePayload the largest WebSocket frame accepted from the broker
     */
    SslHandler initChannel(Channel ch, String host, int port, int maxFramePayload, ChannelHandler... mqtt) {
        ChannelPipeline p = ch.pipeline();
        SslHandler sslHandler = null;
        if (ssl != null) {
            sslHandler = resume ? ssl.newHandler(ch.alloc(), host, port) : ssl.newHandler(ch.alloc());
            p.addLast("tls", sslHandler);
        }
        if (wsPath != null) {
            URI uri = URI.create((ssl != null ? "wss://" : "ws://") + hostForUri(host) + ":" + port + wsPath);
            WebSocketClientProtocolConfig ws = WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(uri)
                    .subprotocol("mqtt")
                    .version(WebSocketVersion.V13)
                    .maxFramePayloadLength(maxFramePayload)
                    .handshakeTimeoutMillis(10_000)
                    .build();
            p.addLast("http", new HttpClientCodec());
            p.addLast("http-aggregator", new HttpObjectAggregator(64 * 1024));
            p.addLast("ws", new WebSocketClientProtocolHandler(ws));
            p.addLast("ws-mqtt", new WebSocketBytes());
        }
        p.addLast(mqtt);
        return sslHandler;
    }

    private static String hostForUri(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return scheme();
    }

    /**
     * Between the WebSocket protocol handler and the MQTT codec: MQTT buffers out as binary frames, the
     * payloads of binary frames (and of their continuations) in as bytes. Holds back channelActive until
     * the upgrade is complete, so the client's CONNECT goes out as the first frame.
     */
    static final class WebSocketBytes extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {
        private boolean inBinaryMessage;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // not yet: the HTTP upgrade is under way
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                ctx.fireChannelActive();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
            out.add(new BinaryWebSocketFrame(msg.retain()));
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
            if (frame instanceof BinaryWebSocketFrame
                    || frame instanceof ContinuationWebSocketFrame && inBinaryMessage) {
                inBinaryMessage = !frame.isFinalFragment();
                out.add(frame.content().retain());
            } else if (!(frame instanceof PingWebSocketFrame) && !(frame instanceof PongWebSocketFrame)) {
                ctx.fireExceptionCaught(new IllegalStateException("the broker sent a "
                        + frame.getClass().getSimpleName().replace("WebSocketFrame", "").toLowerCase(Locale.ROOT)
                        + " WebSocket frame where MQTT needs binary frames"));
            }
        }
    }
}
