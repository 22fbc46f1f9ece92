package io.volantmq.broker.auth.scram;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The client half of SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel binding, for tests. Self-contained
 * apart from {@link SaslPrep}: JDK crypto only, no use of the server classes.
 *
 * <pre>{@code
 * ScramClient c = new ScramClient("user", "pencil");
 * byte[] first = c.clientFirstMessage();            // CONNECT Authentication Data
 * byte[] fin = c.clientFinalMessage(serverFirst);    // AUTH 0x18 Authentication Data
 * c.verifyServerFinal(serverFinal);                  // CONNACK Authentication Data; throws if forged
 * }</pre>
 */
public final class ScramClient {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String GS2_HEADER = "n,,";

    private final String username;
    private final String password;
    private final String clientNonce;
    private final int minIterations;

    private String clientFirstBare;
    private byte[] expectedServerSignature;
    private boolean serverVerified;

    /** A client with a random 18-byte nonce, refusing fewer than 4096 iterations. */
    public ScramClient(String username, String password) {
        this(username, password, randomNonce(), 4096);
    }

    /** A client with a given nonce (printable ASCII without ','), e.g. RFC 7677's. */
    public ScramClient(String username, String password, String clientNonce) {
        this(username, password, clientNonce, 4096);
    }

    public ScramClient(String username, String password, String clientNonce, int minIterations) {
        this.username = SaslPrep.prepareQuery(username);
        this.password = SaslPrep.prepareQuery(password);
        this.clientNonce = clientNonce;
        this.minIterations = minIterations;
    }

    public static String randomNonce() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** RFC 5802 section 5.1: ',' becomes "=2C" and '=' becomes "=3D". */
    public static String escape(String name) {
        return name.replace("=", "=3D").replace(",", "=2C");
    }

    /** {@code n,,n=<user>,r=<client nonce>} */
    public byte[] clientFirstMessage() {
        clientFirstBare = "n=" + escape(username) + ",r=" + clientNonce;
        return (GS2_HEADER + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code c=biws,r=<nonce>,p=<proof>} for the server-first-message.
     *
     * @throws IllegalArgumentException if the server-first-message is bad (wrong nonce prefix, too few
     *                                  iterations, ...)
     */
    public byte[] clientFinalMessage(byte[] serverFirstMessage) {
        if (clientFirstBare == null) {
            throw new IllegalStateException("clientFirstMessage() first");
        }
        String serverFirst = new String(serverFirstMessage, StandardCharsets.UTF_8);
        String[] attrs = serverFirst.split(",", -1);
        if (attrs.length < 3 || !attrs[0].startsWith("r=") || !attrs[1].startsWith("s=")
                || !attrs[2].startsWith("i=")) {
            throw new IllegalArgumentException("bad server-first-message: " + serverFirst);
        }
        String nonce = attrs[0].substring(2);
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw new IllegalArgumentException("server nonce does not extend the client nonce");
        }
        byte[] salt = Base64.getDecoder().decode(attrs[1].substring(2));
        int iterations = Integer.parseInt(attrs[2].substring(2));
        if (iterations < minIterations) {
            throw new IllegalArgumentException("iteration count " + iterations + " below " + minIterations);
        }

        byte[] saltedPassword = hi(password, salt, iterations);
        byte[] clientKey = hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = sha256(clientKey);
        byte[] serverKey = hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));

        String withoutProof = "c=" + Base64.getEncoder().encodeToString(GS2_HEADER.getBytes(StandardCharsets.UTF_8))
                + ",r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ clientSignature[i]);
        }
        expectedServerSignature = hmac(serverKey, authMessage);
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks {@code v=<server signature>}.
     *
     * @throws IllegalArgumentException if it is an error ({@code e=}) or the signature is wrong
     */
    public void verifyServerFinal(byte[] serverFinalMessage) {
        if (expectedServerSignature == null) {
            throw new IllegalStateException("clientFinalMessage() first");
        }
        String s = serverFinalMessage == null ? "" : new String(serverFinalMessage, StandardCharsets.UTF_8);
        String first = s.split(",", -1)[0];
        if (!first.startsWith("v=")) {
            throw new IllegalArgumentException("server-final-message is not a verifier: " + s);
        }
        byte[] signature = Base64.getDecoder().decode(first.substring(2));
        if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw new IllegalArgumentException("server signature mismatch: the server does not know the credential");
        }
        serverVerified = true;
    }

    public boolean isServerVerified() {
        return serverVerified;
    }

    private static byte[] hi(String password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
