package io.volantmq.broker.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.volantmq.broker.session.ChannelInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the SslHandler: a failed handshake (plain TCP on a TLS port, an untrusted or missing client
 * certificate, no common protocol, a timeout) is logged once, naming the peer, and the connection
 * closed; errors before the handshake completes go no further, so the MQTT layer does not log them again.
 */
final class TlsEvents extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TlsEvents.class);
    private final ListenerSpec listener;
    private boolean handshakeDone;
    private boolean reported;

    TlsEvents(ListenerSpec listener) {
        this.listener = listener;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                handshakeDone = true;
                ctx.pipeline().remove(this);
            } else {
                report(ctx, done.cause());
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (handshakeDone) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        report(ctx, cause);
    }

    private void report(ChannelHandlerContext ctx, Throwable cause) {
        if (!reported) {
            reported = true;
            Throwable root = cause;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            log.warn("{}: TLS handshake with {} failed: {}", listener, ChannelInfo.remoteAddress(ctx.channel()),
                    root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
        }
        ctx.close();
    }
}
