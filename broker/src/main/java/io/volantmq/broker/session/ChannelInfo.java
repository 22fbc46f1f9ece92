package io.volantmq.broker.session;

import io.netty.channel.Channel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** What the transport learnt about a connection: the real client address and its TLS certificates. */
public final class ChannelInfo {
    /** The client's address from a PROXY protocol header, set before any MQTT packet is read. */
    public static final AttributeKey<SocketAddress> PROXIED_REMOTE_ADDRESS =
            AttributeKey.valueOf("volantmq.proxiedRemoteAddress");

    private ChannelInfo() {
    }

    /** The client's address: the one a PROXY protocol header named, else the socket's peer. */
    public static SocketAddress remoteAddress(Channel channel) {
        // hasAttr first: attr() adds an empty attribute to every channel it asks (24 bytes per connection)
        SocketAddress proxied = channel.hasAttr(PROXIED_REMOTE_ADDRESS)
                ? channel.attr(PROXIED_REMOTE_ADDRESS).get() : null;
        return proxied != null ? proxied : channel.remoteAddress();
    }

    /**
     * A connection's TLS as the admin API shows it.
     *
     * @param provider {@code openssl} or {@code jdk}, as {@code tls.provider} names them
     */
    public record Tls(String protocol, String cipher, String provider) {
    }

    /** The negotiated TLS of a connection; null without TLS or before the handshake completed. */
    public static Tls tls(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return null;
        }
        SSLSession session = ssl.engine().getSession();
        return new Tls(session.getProtocol(), session.getCipherSuite(),
                ssl.engine() instanceof ReferenceCountedOpenSslEngine ? "openssl" : "jdk");
    }

    /** The client certificate chain the TLS handshake verified, leaf first; empty without one or without TLS. */
    public static List<X509Certificate> peerCertificates(Channel channel) {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
            return List.of();
        }
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            List<X509Certificate> certificates = new ArrayList<>(chain.length);
            for (Certificate c : chain) {
                if (c instanceof X509Certificate x) {
                    certificates.add(x);
                }
            }
            return List.copyOf(certificates);
        } catch (SSLPeerUnverifiedException e) {
            return List.of(); // the client sent none (tls.clientAuth=optional)
        }
    }
}
