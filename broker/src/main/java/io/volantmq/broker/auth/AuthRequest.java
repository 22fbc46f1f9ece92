package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ProtocolVersion;

import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A CONNECT to authenticate.
 *
 * @param listener          the listener it arrived on
 * @param clientId          client identifier as sent (may be empty)
 * @param username          user name, or null when the flag is not set
 * @param password          password, or null when the flag is not set
 * @param remoteAddress     the peer
 * @param peerCertificates  the verified TLS client certificate chain, empty without mutual TLS
 * @param version           protocol version
 */
public record AuthRequest(String listener, String clientId, String username, byte[] password,
                          SocketAddress remoteAddress, List<X509Certificate> peerCertificates,
                          ProtocolVersion version) {
    public AuthRequest {
        peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
    }

    @Override
    public String toString() {
        return "AuthRequest[listener=" + listener + ", clientId=" + clientId + ", username=" + username
                + ", password=" + (password == null ? "none" : "***") + ", remote=" + remoteAddress
                + ", certificates=" + peerCertificates.size() + ", version=" + version + "]";
    }
}
