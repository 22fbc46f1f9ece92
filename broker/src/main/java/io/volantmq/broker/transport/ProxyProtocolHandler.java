package io.volantmq.broker.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.volantmq.broker.session.ChannelInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Follows Netty's {@code HAProxyMessageDecoder} on a {@code ?proxy=true} listener: records the client
 * address of the PROXY v1/v2 header in {@link ChannelInfo#PROXIED_REMOTE_ADDRESS}, so auth, ACLs and logs
 * see the real client, then leaves the pipeline. A connection that does not start with a valid header
 * is closed with a log line naming the peer. A LOCAL header (a load balancer's health check) keeps the
 * socket's own address.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);
    private final ListenerSpec listener;

    ProxyProtocolHandler(ListenerSpec listener) {
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null
                    && header.proxiedProtocol().addressFamily() != HAProxyProxiedProtocol.AddressFamily.AF_UNIX) {
                byte[] ip = NetUtil.createByteArrayFromIpAddressString(header.sourceAddress());
                if (ip == null) {
                    log.warn("{}: PROXY header from {} names a bad client address '{}': closing", listener,
                            ctx.channel().remoteAddress(), header.sourceAddress());
                    ctx.close();
                    return;
                }
                InetSocketAddress client = new InetSocketAddress(InetAddress.getByAddress(ip), header.sourcePort());
                ctx.channel().attr(ChannelInfo.PROXIED_REMOTE_ADDRESS).set(client);
                log.debug("{}: {} proxies client {}", listener, ctx.channel().remoteAddress(), client);
            }
        } catch (UnknownHostException e) {
            ctx.close(); // cannot happen for a 4- or 16-byte address
            return;
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
    }

    /**
     * In front of the decoder: Netty's decoder reads anything not starting with the v2 signature as a v1
     * line and waits for up to 108 bytes or a line end, so a client speaking MQTT straight to a PROXY
     * listener would hang until the CONNECT timeout. This compares the first bytes with both signatures
     * and closes at once when they match neither, then leaves the pipeline.
     */
    static final class PrefixCheck extends ChannelInboundHandlerAdapter {
        private static final byte[] V1 = "PROXY ".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
        private final ListenerSpec listener;

        PrefixCheck(ListenerSpec listener) {
            this.listener = listener;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf && buf.isReadable()) {
                if (!startsLike(buf, V1) && !startsLike(buf, V2)) {
                    log.warn("{}: {} sent no PROXY protocol header (this listener has proxy=true): closing",
                            listener, ctx.channel().remoteAddress());
                    ReferenceCountUtil.release(msg);
                    ctx.close();
                    return;
                }
                ctx.pipeline().remove(this);
            }
            ctx.fireChannelRead(msg);
        }

        /** The readable bytes agree with the signature as far as both go. */
        private static boolean startsLike(ByteBuf buf, byte[] signature) {
            int n = Math.min(buf.readableBytes(), signature.length);
            for (int i = 0; i < n; i++) {
                if (buf.getByte(buf.readerIndex() + i) != signature[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("{}: no valid PROXY protocol header from {}: {}; closing", listener, ctx.channel().remoteAddress(),
                cause.getMessage());
        ctx.close();
    }
}
