package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ReasonCode;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code certificate}: trusts the TLS client certificate the listener verified against its CA
 * ({@code tls.caFile}, with {@code tls.clientAuth} optional or required), and records its subject's
 * common name as the user name ({@code auth.certificate.username=cn}, the default) or the whole subject
 * in RFC 2253 form ({@code =dn}). Abstains for connections without a client certificate. A certificate
 * without a CN is refused when the CN is the user name.
 */
public final class CertificateAuthProvider implements AuthProvider {
    private static final CompletableFuture<Optional<AuthResult>> ABSTAIN =
            CompletableFuture.completedFuture(Optional.empty());

    @Override
    public String name() {
        return "certificate";
    }

    @Override
    public AuthCheck create(AuthProviderConfig config) {
        boolean wholeSubject = config.settings().choice(config.key("username"), "cn", "cn", "dn").equals("dn");
        return request -> {
            if (request.peerCertificates().isEmpty()) {
                return ABSTAIN;
            }
            X500Principal subject = request.peerCertificates().get(0).getSubjectX500Principal();
            String name = wholeSubject ? subject.getName(X500Principal.RFC2253) : commonName(subject);
            return CompletableFuture.completedFuture(Optional.of(name == null || name.isEmpty()
                    ? AuthResult.deny(ReasonCode.NOT_AUTHORIZED,
                            "client certificate '" + subject + "' has no common name")
                    : AuthResult.allowAs(name)));
        };
    }

    /** The most specific (last) CN of the subject, or null. */
    static String commonName(X500Principal subject) {
        try {
            String cn = null;
            for (Rdn rdn : new LdapName(subject.getName(X500Principal.RFC2253)).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    cn = String.valueOf(rdn.getValue()); // getRdns() runs from the root: the last is the leaf's
                }
            }
            return cn;
        } catch (InvalidNameException e) {
            return null;
        }
    }
}
