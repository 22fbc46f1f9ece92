package io.volantmq.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.protocol.Publish;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireTest {
    /** A QoS 0 PUBLISH to "t" with payload "ab" (MQTT 3.1.1). */
    private static final byte[] PUBLISH = {0x30, 0x05, 0x00, 0x01, 't', 'a', 'b'};

    @Test
    void schemesFollowTheOptions() {
        assertThat(Wire.of(false, null, null, false, null, null).scheme()).isEqualTo("tcp");
        assertThat(Wire.of(true, null, null, false, null, null).scheme()).isEqualTo("ssl");
        assertThat(Wire.of(false, null, null, false, "/mqtt", null).scheme()).isEqualTo("ws");
        assertThat(Wire.of(true, null, "1.3", false, "/mqtt", null).scheme()).isEqualTo("wss");
        assertThat(Wire.of(true, null, null, false, null, null).warning()).contains("NOT checked");
        assertThat(Wire.of(false, null, null, false, "/mqtt", null).warning()).isNull();
        assertThatThrownBy(() -> Wire.of(false, null, "1.2", false, null, null)).hasMessageContaining("need --tls");
    }

    @Test
    void theTlsEngineIsOpensslWhereItLoadsUnlessTheJdkIsAskedFor() {
        assertThat(Wire.of(true, null, null, false, null, null).describe()).contains("by OpenSSL");
        assertThat(Wire.of(true, null, null, false, null, "openssl").describe()).contains("by OpenSSL");
        assertThat(Wire.of(true, null, null, false, null, "jdk").describe()).contains("by the JDK");
        assertThatThrownBy(() -> Wire.of(true, null, null, false, null, "boring"))
                .hasMessageContaining("--tls-provider must be auto, openssl or jdk");
        assertThatThrownBy(() -> Wire.of(false, null, null, false, null, "jdk")).hasMessageContaining("need --tls");
    }

    @Test
    void mqttBytesAreUnwrappedWhateverTheFrameBoundaries() {
        EmbeddedChannel ch = new EmbeddedChannel(new Wire.WebSocketBytes(), new MqttDecoder(MqttCodec.MAX_PACKET_SIZE));
        // two packets and a half in one frame, the rest of the third in a fragmented message
        byte[] first = new byte[PUBLISH.length * 2 + 3];
        System.arraycopy(PUBLISH, 0, first, 0, PUBLISH.length);
        System.arraycopy(PUBLISH, 0, first, PUBLISH.length, PUBLISH.length);
        System.arraycopy(PUBLISH, 0, first, PUBLISH.length * 2, 3);
        ch.writeInbound(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(first)));
        ch.writeInbound(new ContinuationWebSocketFrame(false, 0, Unpooled.wrappedBuffer(PUBLISH, 3, 2)));
        ch.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(PUBLISH, 5, 2)));
        for (int i = 0; i < 3; i++) {
            Publish p = ch.readInbound();
            assertThat(p.topic()).isEqualTo("t");
            assertThat(new String(p.payload(), StandardCharsets.UTF_8)).isEqualTo("ab");
        }
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void buffersGoOutAsBinaryFramesAndTextFramesAreRefused() {
        EmbeddedChannel ch = new EmbeddedChannel(new Wire.WebSocketBytes());
        ch.writeOutbound(Unpooled.wrappedBuffer(PUBLISH));
        BinaryWebSocketFrame frame = ch.readOutbound();
        ByteBuf content = frame.content();
        assertThat(content.readableBytes()).isEqualTo(PUBLISH.length);
        frame.release();

        assertThatThrownBy(() -> ch.writeInbound(new TextWebSocketFrame("hello")))
                .hasMessageContaining("text WebSocket frame");
        ch.finishAndReleaseAll();
    }
}
