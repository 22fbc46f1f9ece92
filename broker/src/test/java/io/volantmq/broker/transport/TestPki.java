package io.volantmq.broker.transport;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throw-away PKI for tests: keys and certificates made at run time, never stored in the repository.
 * The it-tests use it too, through the broker's test-jar.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    public record Issued(X509Certificate certificate, PrivateKey key) {
    }

    private TestPki() {
    }

    public static Issued ca(String cn) {
        KeyPair keys = keyPair();
        return sign(new X500Name("CN=" + cn), keys, new X500Name("CN=" + cn), keys.getPrivate(), true, null);
    }

    /** A server certificate for localhost and 127.0.0.1. */
    public static Issued server(Issued ca, String cn) {
        return sign(new X500Name("CN=" + cn), keyPair(), issuer(ca), ca.key(), false, KeyPurposeId.id_kp_serverAuth);
    }

    public static Issued client(Issued ca, String subject) {
        return sign(new X500Name(subject), keyPair(), issuer(ca), ca.key(), false, KeyPurposeId.id_kp_clientAuth);
    }

    private static X500Name issuer(Issued ca) {
        return X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Issued sign(X500Name subject, KeyPair keys, X500Name issuer, PrivateKey issuerKey, boolean ca,
                               KeyPurposeId purpose) {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                if (purpose == KeyPurposeId.id_kp_serverAuth) {
                    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
                }
            }
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
            return new Issued(certificate, keys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client-side TLS context trusting {@code ca}, presenting {@code identity} (issued by ca) when not null. */
    public static SSLContext clientContext(Issued ca, Issued identity, String protocol) throws Exception {
        return clientContext(ca, ca, identity, protocol);
    }

    /**
     * A client-side TLS context trusting {@code trusted} and presenting {@code identity}, issued by
     * {@code issuer}, whatever CAs the server asks for (the JDK would otherwise send nothing when the
     * issuer is not among them, and the test would not show that the server checks what it gets).
     */
    public static SSLContext clientContext(Issued trusted, Issued issuer, Issued identity, String protocol) throws Exception {
        SSLContext context = SSLContext.getInstance(protocol);
        javax.net.ssl.KeyManager[] keys = null;
        if (identity != null) {
            javax.net.ssl.X509ExtendedKeyManager real =
                    (javax.net.ssl.X509ExtendedKeyManager) keyManagers(issuer, identity).getKeyManagers()[0];
            keys = new javax.net.ssl.KeyManager[] {new javax.net.ssl.X509ExtendedKeyManager() {
                @Override
                public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
                    return new String[] {"me"};
                }

                @Override
                public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers,
                                                java.net.Socket socket) {
                    return "me";
                }

                @Override
                public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
                                                      javax.net.ssl.SSLEngine engine) {
                    return "me";
                }

                @Override
                public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
                    return null;
                }

                @Override
                public String chooseServerAlias(String keyType, java.security.Principal[] issuers,
                                                java.net.Socket socket) {
                    return null;
                }

                @Override
                public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
                    return real.getCertificateChain(alias);
                }

                @Override
                public PrivateKey getPrivateKey(String alias) {
                    return real.getPrivateKey(alias);
                }
            } };
        }
        context.init(keys, trustManagers(trusted).getTrustManagers(), null);
        return context;
    }

    public static TrustManagerFactory trustManagers(Issued ca) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(
                TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }

    public static KeyManagerFactory keyManagers(Issued ca, Issued identity) throws Exception {
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("me", identity.key(), password,
                new Certificate[] {identity.certificate(), ca.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(
                KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        return kmf;
    }

    /** A broker's files: chain.pem (server then CA), key.pem, ca.pem in {@code dir}. */
    public static Issued brokerFiles(Path dir, Issued ca) throws IOException {
        Issued server = server(ca, "volantmq-test");
        writeCertificates(dir.resolve("chain.pem"), server.certificate(), ca.certificate());
        writeKey(dir.resolve("key.pem"), server.key());
        writeCertificates(dir.resolve("ca.pem"), ca.certificate());
        return server;
    }

    /** Writes certificates as PEM, in the order given (leaf first for a chain). */
    public static Path writeCertificates(Path file, X509Certificate... chain) throws IOException {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate c : chain) {
            try {
                pem.append(pem("CERTIFICATE", c.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
        }
        return Files.writeString(file, pem.toString());
    }

    /** Writes an unencrypted PKCS#8 private key as PEM. */
    public static Path writeKey(Path file, PrivateKey key) throws IOException {
        return Files.writeString(file, pem("PRIVATE KEY", key.getEncoded()));
    }

    /** Writes a PKCS#8 private key encrypted with {@code password} (PBES2, AES-256-CBC) as PEM. */
    public static Path writeEncryptedKey(Path file, PrivateKey key, String password) throws IOException {
        try {
            org.bouncycastle.operator.OutputEncryptor encryptor =
                    new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
                            org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                            .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                            .setPassword(password.toCharArray()).build();
            byte[] der = new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, encryptor).generate().getContent();
            return Files.writeString(file, pem("ENCRYPTED PRIVATE KEY", der));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
