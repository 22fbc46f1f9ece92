package io.volantmq.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.volantmq.broker.session.ChannelInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at the first bytes of a connection (after TLS, where there is TLS) and closes at once, with a
 * log line naming the peer, when the client speaks the wrong protocol for the listener: a TLS handshake
 * on a listener without TLS, anything but a CONNECT on an MQTT listener (an HTTP request, a PROXY header
 * where none is expected, garbage), or anything but an HTTP GET on a WebSocket listener (plain MQTT on
 * the WebSocket port). Without it
 * these would wait for the CONNECT timeout. Then it leaves the pipeline.
 */
final class ProtocolSniffer extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProtocolSniffer.class);
    /** TLS record type handshake (RFC 8446 5.1); no MQTT packet starts with it (CONNECT is 0x10). */
    private static final int TLS_HANDSHAKE = 0x16;
    /** CONNECT's packet type in the high nibble; bad flags are left to the decoder, which answers them. */
    private static final int CONNECT = 0x10;

    private final ListenerSpec listener;
    private final boolean afterTls;

    ProtocolSniffer(ListenerSpec listener, boolean afterTls) {
        this.listener = listener;
        this.afterTls = afterTls;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            int first = buf.getUnsignedByte(buf.readerIndex());
            String wrong = null;
            if (first == TLS_HANDSHAKE && !afterTls) {
                wrong = "a TLS handshake";
            } else if (listener.transport().webSocket() && first != 'G') {
                wrong = "something other than an HTTP GET (MQTT without WebSocket?)";
            } else if (!listener.transport().webSocket() && (first & 0xF0) != CONNECT) {
                // [MQTT-3.1.0-1] the first packet is a CONNECT: anything else need not be waited for
                wrong = startsWith(buf, "GET ") ? "an HTTP request (a WebSocket client?)"
                        : startsWith(buf, "PROXY ") ? "a PROXY protocol header (this listener has no proxy=true)"
                        : String.format(java.util.Locale.ROOT, "a first byte 0x%02x, not a CONNECT [MQTT-3.1.0-1]", first);
            }
            if (wrong != null) {
                log.warn("{}: {} sent {} to this {} listener: closing", listener,
                        ChannelInfo.remoteAddress(ctx.channel()), wrong, listener.transport().scheme());
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }

    private static boolean startsWith(ByteBuf buf, String ascii) {
        if (buf.readableBytes() < ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (buf.getByte(buf.readerIndex() + i) != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
