package io.volantmq.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.volantmq.broker.BrokerConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProtocolSnifferTest {
    private static EmbeddedChannel channel(String uri) {
        return new EmbeddedChannel(new ProtocolSniffer(ListenerSpec.parse(URI.create(uri),
                BrokerConfig.builder().setting("tls.certFile", "c").build()), uri.startsWith("ssl") || uri.startsWith("wss")));
    }

    @Test
    void aTlsClientHelloOnAPlainPortIsClosedAtOnce() {
        EmbeddedChannel ch = channel("tcp://127.0.0.1:1883");
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xF4, 0x01}));
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readInbound()).isNull();
        EmbeddedChannel ws = channel("ws://127.0.0.1:8080/mqtt");
        ws.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x03}));
        assertThat(ws.isOpen()).isFalse();
    }

    @Test
    void anHttpRequestOnTheMqttPortIsClosedButPassesOnAWebSocketPort() {
        EmbeddedChannel tcp = channel("tcp://127.0.0.1:1883");
        tcp.writeInbound(Unpooled.copiedBuffer("GET /mqtt HTTP/1.1\r\n", StandardCharsets.US_ASCII));
        assertThat(tcp.isOpen()).isFalse();
        EmbeddedChannel ws = channel("ws://127.0.0.1:8080/mqtt");
        ws.writeInbound(Unpooled.copiedBuffer("GET /mqtt HTTP/1.1\r\n", StandardCharsets.US_ASCII));
        assertThat(ws.isOpen()).isTrue();
        ((ByteBuf) ws.readInbound()).release();
        ws.finishAndReleaseAll();
    }

    @Test
    void plainMqttOnAWebSocketPortIsClosedAtOnce() {
        for (String uri : new String[] {"ws://127.0.0.1:8080/mqtt", "wss://127.0.0.1:8443/mqtt"}) {
            EmbeddedChannel ch = channel(uri);
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T'}));
            assertThat(ch.isOpen()).as(uri).isFalse();
        }
    }

    @Test
    void anythingButAConnectFirstIsClosedAtOnce() {
        // [MQTT-3.1.0-1]: a PROXY header on a listener without proxy=true, a PUBLISH, a half-open probe
        for (byte[] first : new byte[][] {"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n".getBytes(StandardCharsets.US_ASCII),
                {0x30, 0x7F}, {0x00}}) {
            EmbeddedChannel ch = channel("ssl://127.0.0.1:8883");
            ch.writeInbound(Unpooled.wrappedBuffer(first));
            assertThat(ch.isOpen()).isFalse();
        }
    }

    @Test
    void mqttPassesAndTheSnifferLeaves() {
        EmbeddedChannel ch = channel("tcp://127.0.0.1:1883");
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x10, 0x00}));
        ByteBuf passed = ch.readInbound();
        assertThat(passed.readableBytes()).isEqualTo(2);
        passed.release();
        assertThat(ch.pipeline().get(ProtocolSniffer.class)).isNull();
        ch.finishAndReleaseAll();
    }
}
