package io.volantmq.broker.transport;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.metrics.TrafficMetricsHandler;
import io.volantmq.broker.BrokerContext;
import io.volantmq.broker.session.ListenerContext;
import io.volantmq.broker.session.MqttConnection;

/**
 * The one pipeline every listener shares; only the transport part in front of the MQTT codec differs:
 * <pre>
 *   [proxyCheck, proxy, proxyAddress]       PROXY protocol v1/v2 header   (?proxy=true)
 *   [ssl, tlsEvents]                        TLS (ssl, wss)
 *   sniffer                                 refuse the wrong protocol (TLS, HTTP, MQTT) at once
 *   [http, httpAggregator, wsGuard, ws,     WebSocket upgrade and frames  (ws, wss)
 *    wsMqtt]
 *   [bandwidth]                             inbound bytes per second      (bandwidth)
 *   decoder                                 MQTT decoder, maxConnectPacketSize then maxPacketSize
 *   [publishRate]                           PUBLISH packets per second    (publishRate)
 *   mqtt                                    the connection; it also encodes and counts the packets both
 *                                           ways (no encoder stage: a handler context less per connection)
 * </pre>
 * Every stage is bounded: the PROXY header, HTTP request line and headers, WebSocket frames and MQTT
 * packets (at most maxConnectPacketSize until the CONNECT is accepted, then the listener's maxPacketSize)
 * have size limits; the TLS handshake, the WebSocket handshake and the CONNECT to CONNACK have timeouts.
 */
final class MqttChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** An upgrade request has no body; its line and headers are bounded by the HTTP codec. */
    private static final int MAX_HTTP_REQUEST_BODY = 1024;

    private final BrokerContext broker;
    private final ListenerSpec spec;
    private final ListenerContext listener;
    private final TrafficMetricsHandler traffic;
    private final TlsContextSource tls;
    private final ConnectionGate gate;
    private final ChannelGroup openChannels;
    private final int maxConnectPacketSize;
    private final java.util.Set<String> allowedOrigins;

    MqttChannelInitializer(BrokerContext broker, ListenerSpec spec, ListenerContext listener, TlsContextSource tls,
                           ConnectionGate gate, ChannelGroup openChannels) {
        this.broker = broker;
        this.spec = spec;
        this.listener = listener;
        this.tls = tls;
        this.gate = gate;
        this.openChannels = openChannels;
        this.maxConnectPacketSize = spec.maxConnectPacketSize();
        this.allowedOrigins = spec.transport().webSocket() ? WebSocketHandshakeGuard.allowedOrigins(spec)
                : java.util.Set.of();
        this.traffic = new TrafficMetricsHandler(broker.metrics());
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        if (!gate.admit(channel)) {
            channel.close();
            return;
        }
        openChannels.add(channel); // closed together on shutdown
        ChannelPipeline p = channel.pipeline();
        p.addLast("byteMetrics", traffic); // raw bytes on the wire (encrypted ones for TLS)
        if (spec.proxy()) {
            p.addLast("proxyCheck", new ProxyProtocolHandler.PrefixCheck(spec));
            p.addLast("proxy", new HAProxyMessageDecoder());
            p.addLast("proxyAddress", new ProxyProtocolHandler(spec));
        }
        if (tls != null) {
            p.addLast("ssl", tls.newHandler(channel.alloc()));
            p.addLast("tlsEvents", new TlsEvents(spec));
        }
        p.addLast("sniffer", new ProtocolSniffer(spec, tls != null));
        if (spec.transport().webSocket()) {
            long handshakeTimeout = broker.config().connectTimeoutSeconds() * 1000L;
            p.addLast("http", new HttpServerCodec());
            p.addLast("httpAggregator", new HttpObjectAggregator(MAX_HTTP_REQUEST_BODY));
            p.addLast("wsGuard", new WebSocketHandshakeGuard(spec, allowedOrigins));
            p.addLast("ws", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                    .websocketPath(spec.path())
                    .checkStartsWith(true) // the guard has checked the exact path; this lets a query through
                    .subprotocols(String.join(",", WebSocketHandshakeGuard.SUBPROTOCOLS))
                    .handshakeTimeoutMillis(handshakeTimeout)
                    .maxFramePayloadLength(maxConnectPacketSize) // maxPacketSize once connected (wsMqtt)
                    .allowExtensions(false)
                    .handleCloseFrames(true)
                    .dropPongFrames(true)
                    .closeOnProtocolViolation(true)
                    .build()));
            p.addLast("wsMqtt", new WebSocketMqttCodec(spec));
        }
        if (spec.bandwidth() > 0) {
            p.addLast("bandwidth", new BandwidthLimiter(spec));
        }
        p.addLast("decoder", MqttDecoder.forBroker(maxConnectPacketSize)); // maxPacketSize once authenticated
        if (spec.publishRate() > 0) {
            p.addLast("publishRate", new PublishRateLimiter(spec));
        }
        p.addLast("mqtt", new MqttConnection(broker, listener));
    }
}
