package io.volantmq.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Properties;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The WebSocket stages of the pipeline, driven through EmbeddedChannel with real frames and packets. */
class WebSocketTransportTest {
    private final ListenerSpec spec = ListenerSpec.parse(URI.create("ws://127.0.0.1:8080/mqtt"),
            BrokerConfig.builder().build());

    private EmbeddedChannel mqttOverFrames() {
        return new EmbeddedChannel(new WebSocketMqttCodec(spec), new MqttDecoder(1024));
    }

    private static byte[] bytes(MqttMessage message, ProtocolVersion version) {
        ByteBuf buf = MqttCodec.encode(message, version, ByteBufAllocator.DEFAULT);
        try {
            byte[] b = new byte[buf.readableBytes()];
            buf.readBytes(b);
            return b;
        } finally {
            buf.release();
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static byte[] slice(byte[] b, int from, int to) {
        byte[] s = new byte[to - from];
        System.arraycopy(b, from, s, 0, s.length);
        return s;
    }

    private final Connect connect = new Connect(ProtocolVersion.MQTT_3_1_1, "ws-client", true, 30, null, null,
            null, null);
    private final Publish publish = new Publish("a/b", 0, false, false, 0, "hello".getBytes(StandardCharsets.UTF_8),
            Properties.EMPTY);

    @Test
    void severalPacketsInOneFrameAreAllDecoded() {
        EmbeddedChannel ch = mqttOverFrames();
        byte[] both = concat(bytes(connect, ProtocolVersion.MQTT_3_1_1), bytes(PingReq.INSTANCE, ProtocolVersion.MQTT_3_1_1));
        ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(both)));
        assertThat((Object) ch.readInbound()).isInstanceOf(Connect.class);
        assertThat((Object) ch.readInbound()).isInstanceOf(PingReq.class);
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void aPacketSplitAcrossFramesAndFragmentsIsReassembled() {
        EmbeddedChannel ch = mqttOverFrames();
        byte[] c = bytes(connect, ProtocolVersion.MQTT_3_1_1);
        byte[] p = bytes(publish, ProtocolVersion.MQTT_3_1_1);
        // frame 1: all of CONNECT and one byte of PUBLISH; then PUBLISH over a fragmented message
        ch.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(concat(c, slice(p, 0, 1)))));
        ch.writeInbound(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(slice(p, 1, 3))));
        ch.writeInbound(new ContinuationWebSocketFrame(false, 0, Unpooled.wrappedBuffer(slice(p, 3, 6))));
        assertThat((Object) ch.readInbound()).isInstanceOf(Connect.class);
        assertThat((Object) ch.readInbound()).as("the PUBLISH is not complete yet").isNull();
        ch.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(slice(p, 6, p.length))));
        Publish decoded = ch.readInbound();
        assertThat(decoded.topic()).isEqualTo("a/b");
        assertThat(new String(decoded.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(ch.isActive()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void outboundPacketsGoOutAsBinaryFrames() {
        EmbeddedChannel ch = mqttOverFrames();
        ch.writeOutbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xD0, 0x00}));
        BinaryWebSocketFrame frame = ch.readOutbound();
        assertThat(frame.isFinalFragment()).isTrue();
        assertThat(frame.content().readableBytes()).isEqualTo(2);
        assertThat(frame.content().getByte(0)).isEqualTo((byte) 0xD0);
        frame.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void aTextFrameIsRefusedAndTheConnectionClosed() {
        // [MQTT-6.0.0-1] MQTT control packets must be sent in binary data frames
        EmbeddedChannel ch = mqttOverFrames();
        ch.writeInbound(new TextWebSocketFrame("{\"hello\":1}"));
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(1003);
        close.release();
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    // ------------------------------------------------------------------ the handshake guard

    private FullHttpResponse handshake(String uri, String subprotocols, String version, boolean upgrade) {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketHandshakeGuard(spec, WebSocketHandshakeGuard.allowedOrigins(spec)));
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        if (upgrade) {
            request.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
        }
        if (version != null) {
            request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, version);
        }
        request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==");
        if (subprotocols != null) {
            request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, subprotocols);
        }
        ch.writeInbound(request);
        FullHttpResponse response = ch.readOutbound();
        if (response == null) {
            FullHttpRequest passed = ch.readInbound();
            assertThat(passed).as("neither refused nor passed on").isNotNull();
            assertThat(ch.pipeline().get(WebSocketHandshakeGuard.class)).as("the guard leaves").isNull();
            passed.release();
            ch.finishAndReleaseAll();
            return null;
        }
        assertThat(ch.isOpen()).as("a refused handshake closes the connection").isFalse();
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
        return response;
    }

    @Test
    void aProperMqttUpgradePassesToTheHandshaker() {
        assertThat(handshake("/mqtt", "mqtt", "13", true)).isNull();
        assertThat(handshake("/mqtt?token=1", "foo, mqttv3.1", "13", true)).isNull();
    }

    @Test
    void upgradesWithoutTheMqttSubprotocolAreRefused() {
        FullHttpResponse r = handshake("/mqtt", null, "13", true);
        assertThat(r.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        r.release();
        r = handshake("/mqtt", "chat, graphql-ws", "13", true);
        assertThat(r.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        r.release();
    }

    @Test
    void wrongPathsPlainRequestsAndOldVersionsAreRefused() {
        FullHttpResponse r = handshake("/other", "mqtt", "13", true);
        assertThat(r.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        r.release();
        r = handshake("/mqtt/deeper", "mqtt", "13", true);
        assertThat(r.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        r.release();
        r = handshake("/mqtt", "mqtt", "13", false);
        assertThat(r.status()).isEqualTo(HttpResponseStatus.UPGRADE_REQUIRED);
        r.release();
        r = handshake("/mqtt", "mqtt", null, true);
        assertThat(r.status()).as("no version: the obsolete hixie draft").isEqualTo(HttpResponseStatus.UPGRADE_REQUIRED);
        r.release();
    }
}
