package io.volantmq.broker.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A salted, slow password hash: PBKDF2 (RFC 8018, section 5.2) with HMAC-SHA512, a 16-byte random salt
 * per user and a stated iteration count, written in the PHC string style
 * {@code $pbkdf2-sha512$i=210000$<salt>$<hash>} (unpadded standard Base64, 64-byte hash).
 *
 * <p>PBKDF2 is computed here over the password's raw bytes rather than through
 * {@code SecretKeyFactory}, whose {@code char[]} interface cannot carry an MQTT password (binary data)
 * faithfully. Verification compares in constant time.
 *
 * @param iterations PBKDF2 iteration count
 * @param salt       per-user random salt
 * @param hash       derived key
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
    public static final String SCHEME = "pbkdf2-sha512";
    /** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA512. */
    public static final int DEFAULT_ITERATIONS = 210_000;
    public static final int MIN_ITERATIONS = 1_000;
    private static final int MAX_ITERATIONS = 10_000_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 64;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    public PasswordHash {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in " + MIN_ITERATIONS + ".." + MAX_ITERATIONS
                    + ", got " + iterations);
        }
        if (salt.length < 8 || hash.length < 16) {
            throw new IllegalArgumentException("salt or hash too short");
        }
        salt = salt.clone();
        hash = hash.clone();
    }

    /** Hashes {@code password} with a fresh random salt. */
    public static PasswordHash create(byte[] password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(iterations, salt, pbkdf2(password, salt, iterations, HASH_BYTES));
    }

    public static PasswordHash create(String password, int iterations) {
        return create(password.getBytes(StandardCharsets.UTF_8), iterations);
    }

    /** Slow by design: call it off the event loop. */
    public boolean verify(byte[] password) {
        byte[] candidate = pbkdf2(password == null ? new byte[0] : password, salt, iterations, hash.length);
        return MessageDigest.isEqual(candidate, hash);
    }

    /** Parses {@code $pbkdf2-sha512$i=N$salt$hash}; throws IllegalArgumentException saying what is wrong. */
    public static PasswordHash parse(String encoded) {
        String[] parts = encoded.split("\\$", -1);
        if (parts.length != 5 || !parts[0].isEmpty()) {
            throw new IllegalArgumentException("expected $" + SCHEME + "$i=<iterations>$<salt>$<hash>");
        }
        if (!SCHEME.equals(parts[1])) {
            throw new IllegalArgumentException("unknown hash scheme '" + parts[1] + "' (only " + SCHEME + ")");
        }
        if (!parts[2].startsWith("i=")) {
            throw new IllegalArgumentException("expected i=<iterations>, got '" + parts[2] + "'");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[2].substring(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad iteration count '" + parts[2] + "'");
        }
        try {
            return new PasswordHash(iterations, Base64.getDecoder().decode(parts[3]),
                    Base64.getDecoder().decode(parts[4]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad salt or hash: " + e.getMessage());
        }
    }

    public String encode() {
        return "$" + SCHEME + "$i=" + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public String toString() {
        return "PasswordHash[" + SCHEME + ", i=" + iterations + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordHash p && p.iterations == iterations && MessageDigest.isEqual(p.salt, salt)
                && MessageDigest.isEqual(p.hash, hash);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(hash);
    }

    /** PBKDF2 with HMAC-SHA512: T_i = U_1 xor ... xor U_c, U_1 = PRF(P, S || INT(i)), U_j = PRF(P, U_{j-1}). */
    static byte[] pbkdf2(byte[] password, byte[] salt, int iterations, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            // an empty key is legal in HMAC but SecretKeySpec refuses it; a 0x00 key pads identically
            mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA512"));
            int hLen = mac.getMacLength();
            int blocks = (length + hLen - 1) / hLen;
            byte[] out = new byte[length];
            byte[] u = new byte[hLen];
            byte[] t = new byte[hLen];
            for (int block = 1; block <= blocks; block++) {
                mac.update(salt);
                mac.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
                mac.doFinal(u, 0);
                System.arraycopy(u, 0, t, 0, hLen);
                for (int i = 1; i < iterations; i++) {
                    mac.update(u);
                    mac.doFinal(u, 0);
                    for (int k = 0; k < hLen; k++) {
                        t[k] ^= u[k];
                    }
                }
                int offset = (block - 1) * hLen;
                System.arraycopy(t, 0, out, offset, Math.min(hLen, length - offset));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA512 is missing from this JDK", e);
        }
    }
}
