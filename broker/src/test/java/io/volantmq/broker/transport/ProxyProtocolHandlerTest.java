package io.volantmq.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.session.ChannelInfo;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyProtocolHandlerTest {
    private final ListenerSpec spec = ListenerSpec.parse(URI.create("tcp://127.0.0.1:1883?proxy=true"),
            BrokerConfig.builder().build());

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new ProxyProtocolHandler.PrefixCheck(spec), new HAProxyMessageDecoder(),
                new ProxyProtocolHandler(spec));
    }

    private static byte[] rest(EmbeddedChannel ch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b; (b = ch.readInbound()) != null; ) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            out.writeBytes(bytes);
            b.release();
        }
        return out.toByteArray();
    }

    @Test
    void aVersion1HeaderNamesTheClientAndTheBytesAfterItPassOn() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("PROXY TCP4 203.0.113.7 10.0.0.1 51234 1883\r\n\u0010\u0002",
                StandardCharsets.US_ASCII));
        assertThat(ChannelInfo.remoteAddress(ch)).isEqualTo(new InetSocketAddress("203.0.113.7", 51234));
        assertThat(rest(ch)).containsExactly(0x10, 0x02);
        assertThat(ch.pipeline().get(ProxyProtocolHandler.class)).isNull();
        assertThat(ch.pipeline().get(HAProxyMessageDecoder.class)).isNull();
        assertThat(ch.pipeline().get(ProxyProtocolHandler.PrefixCheck.class)).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void aVersion2HeaderWithAnIpv6ClientIsRead() {
        EmbeddedChannel ch = channel();
        ByteBuf header = Unpooled.buffer();
        header.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.writeByte(0x21); // version 2, PROXY
        header.writeByte(0x21); // AF_INET6, STREAM
        header.writeShort(36); // two addresses of 16 bytes, two ports
        byte[] src = new byte[16];
        src[0] = 0x20;
        src[1] = 0x01;
        src[2] = 0x0d;
        src[3] = (byte) 0xb8;
        src[15] = 0x42; // 2001:db8::42
        header.writeBytes(src);
        header.writeBytes(new byte[16]); // destination ::
        header.writeShort(40000);
        header.writeShort(1883);
        header.writeBytes(new byte[] {0x10, 0x00});
        ch.writeInbound(header);
        InetSocketAddress client = (InetSocketAddress) ChannelInfo.remoteAddress(ch);
        assertThat(client.getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:42");
        assertThat(client.getPort()).isEqualTo(40000);
        assertThat(rest(ch)).containsExactly(0x10, 0x00);
        ch.finishAndReleaseAll();
    }

    @Test
    void aLocalHeaderKeepsTheSocketsAddress() {
        EmbeddedChannel ch = channel();
        ByteBuf header = Unpooled.buffer();
        header.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.writeByte(0x20); // version 2, LOCAL (a health check)
        header.writeByte(0x00);
        header.writeShort(0);
        ch.writeInbound(header);
        assertThat(ch.attr(ChannelInfo.PROXIED_REMOTE_ADDRESS).get()).isNull();
        assertThat(ChannelInfo.remoteAddress(ch)).isEqualTo(ch.remoteAddress());
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionWithoutAHeaderIsClosed() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x10, 0x0C, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02,
                0x00, 0x3C, 0x00, 0x00}));
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.attr(ChannelInfo.PROXIED_REMOTE_ADDRESS).get()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void aHeaderArrivingByteByByteIsWaitedFor() {
        EmbeddedChannel ch = channel();
        byte[] header = "PROXY TCP4 198.51.100.9 10.0.0.1 4242 1883\r\n".getBytes(StandardCharsets.US_ASCII);
        for (byte b : header) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            assertThat(ch.isOpen()).isTrue();
        }
        assertThat(ChannelInfo.remoteAddress(ch)).isEqualTo(new InetSocketAddress("198.51.100.9", 4242));
        ch.finishAndReleaseAll();
    }

    @Test
    void anOverlongVersion1LineIsClosed() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("PROXY " + "x".repeat(200), StandardCharsets.US_ASCII));
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void aForgedVersion1HeaderWithAGarbageAddressIsClosed() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("PROXY TCP4 evil.example 10.0.0.1 1 1883\r\n", StandardCharsets.US_ASCII));
        assertThat(ch.isOpen()).isFalse();
        assertThat(ch.attr(ChannelInfo.PROXIED_REMOTE_ADDRESS).get()).isNull();
        ch.finishAndReleaseAll();
    }
}
