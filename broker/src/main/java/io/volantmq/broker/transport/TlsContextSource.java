package io.volantmq.broker.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.volantmq.broker.auth.Reloader;
import io.volantmq.broker.auth.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The TLS side of an ssl or wss listener: an {@link SslContext} from PEM files, rebuilt when a file
 * changes (new connections get the new certificate; established ones keep theirs).
 *
 * <p>Settings ({@code volantmq.tls.*}, or {@code ?tls.*=} per listener): {@code certFile} (the
 * certificate chain, leaf first), {@code keyFile} (its PKCS#8 private key), {@code keyPassword} (when
 * the key is encrypted), {@code caFile} (CAs that client certificates must chain to),
 * {@code clientAuth} ({@code none}, {@code optional}, {@code required}), {@code protocols} (default
 * {@code TLSv1.3,TLSv1.2}), {@code ciphers} (JDK names; default: the provider's), {@code handshakeTimeout} (seconds,
 * default 10), {@code provider} ({@code auto}: OpenSSL (BoringSSL, netty-tcnative) when its library
 * loads, else the JDK; {@code openssl}; {@code jdk}).
 */
final class TlsContextSource {
    private static final Logger log = LoggerFactory.getLogger(TlsContextSource.class);

    private final Reloader.Watched<SslContext> context;
    private final long handshakeTimeoutMillis;
    private final String description;

    private TlsContextSource(Reloader.Watched<SslContext> context, long handshakeTimeoutMillis, String description) {
        this.context = context;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.description = description;
    }

    static TlsContextSource open(ListenerSpec spec, Reloader reloader) {
        Settings s = spec.settings();
        Path cert = Path.of(s.get("tls.certFile"));
        String keyFile = s.get("tls.keyFile");
        if (keyFile == null) {
            throw s.missing("tls.keyFile", "a " + spec.transport().scheme() + " listener needs a PKCS#8 private key (PEM)");
        }
        Path key = Path.of(keyFile);
        String caFile = s.get("tls.caFile");
        Path ca = caFile == null ? null : Path.of(caFile);
        ClientAuth clientAuth = switch (s.choice("tls.clientAuth", "none", "none", "optional", "required")) {
            case "optional" -> ClientAuth.OPTIONAL;
            case "required" -> ClientAuth.REQUIRE;
            default -> ClientAuth.NONE;
        };
        if (clientAuth != ClientAuth.NONE && ca == null) {
            throw s.missing("tls.caFile", "tls.clientAuth=" + clientAuth.name().toLowerCase(Locale.ROOT)
                    + " needs the CA certificates that client certificates chain to");
        }
        String keyPassword = s.get("tls.keyPassword");
        String[] protocols = list(s.string("tls.protocols", "TLSv1.3,TLSv1.2"));
        String ciphers = s.get("tls.ciphers");
        long timeout = s.longValue("tls.handshakeTimeout", 10, 1, 3600) * 1000;
        SslProvider provider = provider(spec, s);
        List<Path> files = new ArrayList<>(List.of(cert, key));
        if (ca != null) {
            files.add(ca);
        }
        Reloader.Watched<SslContext> context = reloader.watch("TLS files of " + spec, files, () -> {
            for (Path p : files) {
                if (!Files.isReadable(p)) {
                    throw new IOException(p + " is missing or not readable");
                }
            }
            if (keyPassword == null) {
                checkKeyMatches(cert, key);
            }
            try {
                SslContextBuilder b = SslContextBuilder.forServer(cert.toFile(), key.toFile(), keyPassword)
                        .sslProvider(provider)
                        .protocols(protocols)
                        .clientAuth(clientAuth);
                if (ca != null) {
                    b.trustManager(ca.toFile());
                }
                if (ciphers != null) {
                    b.ciphers(Arrays.asList(list(ciphers)));
                }
                return b.build();
            } catch (SSLException | IllegalArgumentException e) {
                throw new IOException("bad TLS material (" + cert + ", " + key + (ca == null ? "" : ", " + ca)
                        + "): " + rootMessage(e), e);
            }
        });
        String description = String.join("/", protocols) + " by " + providerName(provider) + ", client certificates "
                + clientAuth.name().toLowerCase(Locale.ROOT).replace("require", "required");
        return new TlsContextSource(context, timeout, description);
    }

    /**
     * OpenSSL (BoringSSL) costs the broker less CPU per handshake than the JDK's TLS. {@code OPENSSL}, not
     * {@code OPENSSL_REFCNT}: a context replaced by a reload is freed by the GC once no engine uses it, and
     * each engine's native state is freed when its SslHandler is removed.
     */
    private static SslProvider provider(ListenerSpec spec, Settings s) {
        String chosen = s.choice("tls.provider", "auto", "auto", "openssl", "jdk");
        if (chosen.equals("jdk")) {
            return SslProvider.JDK;
        }
        if (OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL;
        }
        String cause = String.valueOf(rootCause(OpenSsl.unavailabilityCause()));
        if (chosen.equals("openssl")) {
            throw s.bad("tls.provider", chosen, "auto or jdk here: OpenSSL (netty-tcnative-boringssl-static) "
                    + "does not load on this machine (" + cause + ")");
        }
        log.info("listener {}: TLS by the JDK, OpenSSL (netty-tcnative-boringssl-static) does not load here: {}",
                spec, cause);
        return SslProvider.JDK;
    }

    private static String providerName(SslProvider provider) {
        return provider == SslProvider.JDK ? "the JDK" : "OpenSSL (" + OpenSsl.versionString() + ")";
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t != null && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    SslHandler newHandler(ByteBufAllocator alloc) {
        SslHandler handler = context.current().newHandler(alloc);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    String description() {
        return description;
    }

    /**
     * Signs with the key and verifies with the leaf certificate: a key that does not belong to the
     * certificate (a renewal caught between writing the two files) would fail every handshake, so it is
     * refused here and the previous, working context stays.
     */
    static void checkKeyMatches(Path certFile, Path keyFile) throws IOException {
        try {
            X509Certificate leaf;
            try (var in = Files.newInputStream(certFile)) {
                leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
            int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
            int end = pem.indexOf("-----END PRIVATE KEY-----");
            if (begin < 0 || end < begin) {
                throw new IOException(keyFile + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)");
            }
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
            String algorithm = leaf.getPublicKey().getAlgorithm();
            PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            String signing = switch (algorithm) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                case "Ed25519", "EdDSA" -> "Ed25519";
                case "Ed448" -> "Ed448";
                default -> null;
            };
            if (signing == null) {
                return; // an algorithm we cannot test here; the handshake will tell
            }
            byte[] challenge = "volantmq key check".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(signing);
            sign.initSign(key);
            sign.update(challenge);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(signing);
            verify.initVerify(leaf.getPublicKey());
            verify.update(challenge);
            if (!verify.verify(signature)) {
                throw new IOException("the private key in " + keyFile + " does not belong to the certificate "
                        + leaf.getSubjectX500Principal() + " in " + certFile);
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("cannot read " + certFile + " / " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static String[] list(String v) {
        return Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toArray(String[]::new);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
    }
}
