package io.volantmq.broker.auth.scram;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * What the server keeps for a SCRAM-SHA-256 user (RFC 5802 section 3): the salt and iteration count of
 * the salted password, and StoredKey = H(ClientKey) and ServerKey. The password itself is not in it,
 * and neither StoredKey nor ServerKey lets a client authenticate; anyone holding ServerKey could
 * impersonate the server, however, so treat the text form as sensitive.
 *
 * <p>Text form, for a password file: {@code SCRAM-SHA-256$<iterations>:<salt>$<storedKey>:<serverKey>},
 * the three byte strings in standard, padded Base64 ({@link #format()}, {@link #parse(String)}).
 *
 * @param salt       the user's salt, at least {@value #MIN_SALT_BYTES} bytes
 * @param iterations PBKDF2 iteration count, {@value #MIN_ITERATIONS} (RFC 7677's floor) to
 *                   {@value #MAX_ITERATIONS}
 * @param storedKey  H(HMAC(SaltedPassword, "Client Key")), 32 bytes
 * @param serverKey  HMAC(SaltedPassword, "Server Key"), 32 bytes
 */
public record ScramCredential(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
    /** Start of the text form. */
    public static final String PREFIX = "SCRAM-SHA-256$";
    /** RFC 7677 section 4: the iteration count SHOULD be at least 4096. */
    public static final int MIN_ITERATIONS = 4096;
    /** Used by {@link #fromPassword(String)}. */
    public static final int DEFAULT_ITERATIONS = 4096;
    /** A ceiling, so that a bad file cannot make every client spin. */
    public static final int MAX_ITERATIONS = 10_000_000;
    public static final int MIN_SALT_BYTES = 8;
    public static final int DEFAULT_SALT_BYTES = 16;
    private static final int MAX_SALT_BYTES = 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    public ScramCredential {
        if (salt == null || storedKey == null || serverKey == null) {
            throw new IllegalArgumentException("salt, storedKey and serverKey are required");
        }
        if (salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES) {
            throw new IllegalArgumentException("salt must be " + MIN_SALT_BYTES + ".." + MAX_SALT_BYTES
                    + " bytes, got " + salt.length);
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in " + MIN_ITERATIONS + ".." + MAX_ITERATIONS
                    + ", got " + iterations);
        }
        if (storedKey.length != ScramCrypto.KEY_BYTES || serverKey.length != ScramCrypto.KEY_BYTES) {
            throw new IllegalArgumentException("storedKey and serverKey must be " + ScramCrypto.KEY_BYTES + " bytes");
        }
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    /** Derives a credential with a fresh 16-byte random salt and {@value #DEFAULT_ITERATIONS} iterations. */
    public static ScramCredential fromPassword(String password) {
        return fromPassword(password, DEFAULT_ITERATIONS);
    }

    /** Derives a credential with a fresh 16-byte random salt. Slow by design: not on an event loop. */
    public static ScramCredential fromPassword(String password, int iterations) {
        byte[] salt = new byte[DEFAULT_SALT_BYTES];
        RANDOM.nextBytes(salt);
        return fromPassword(password, salt, iterations);
    }

    /**
     * Derives a credential: SaltedPassword = Hi(SASLprep(password), salt, iterations), then the keys.
     * The password is prepared as a stored string ({@link SaslPrep#prepareStored}).
     *
     * @throws IllegalArgumentException if the password is empty or not allowed by SASLprep, or the salt or
     *                                  iteration count is out of range
     */
    public static ScramCredential fromPassword(String password, byte[] salt, int iterations) {
        if (password == null) {
            throw new IllegalArgumentException("password is required");
        }
        String prepared;
        try {
            prepared = SaslPrep.prepareStored(password);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("password not allowed by SASLprep: " + e.getMessage());
        }
        if (prepared.isEmpty()) {
            throw new IllegalArgumentException("password is empty after SASLprep");
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in " + MIN_ITERATIONS + ".." + MAX_ITERATIONS
                    + ", got " + iterations);
        }
        if (salt == null || salt.length < MIN_SALT_BYTES || salt.length > MAX_SALT_BYTES) {
            throw new IllegalArgumentException("salt must be " + MIN_SALT_BYTES + ".." + MAX_SALT_BYTES + " bytes");
        }
        byte[] saltedPassword = ScramCrypto.hi(prepared, salt, iterations);
        try {
            byte[] clientKey = ScramCrypto.clientKey(saltedPassword);
            byte[] storedKey = ScramCrypto.sha256(clientKey);
            Arrays.fill(clientKey, (byte) 0);
            return new ScramCredential(salt, iterations, storedKey, ScramCrypto.serverKey(saltedPassword));
        } finally {
            Arrays.fill(saltedPassword, (byte) 0);
        }
    }

    /**
     * Parses the text form {@code SCRAM-SHA-256$<iterations>:<salt>$<storedKey>:<serverKey>}.
     *
     * @throws IllegalArgumentException saying what is wrong (never echoing the keys)
     */
    public static ScramCredential parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no SCRAM credential");
        }
        String s = text.strip();
        if (!s.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a SCRAM credential starts with '" + PREFIX + "'");
        }
        String[] parts = s.substring(PREFIX.length()).split("\\$", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected " + PREFIX + "<iterations>:<salt>$<storedKey>:<serverKey>");
        }
        String[] params = parts[0].split(":", -1);
        String[] keys = parts[1].split(":", -1);
        if (params.length != 2 || keys.length != 2) {
            throw new IllegalArgumentException("expected " + PREFIX + "<iterations>:<salt>$<storedKey>:<serverKey>");
        }
        int iterations;
        try {
            if (params[0].isEmpty() || !params[0].chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new NumberFormatException();
            }
            iterations = Integer.parseInt(params[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad iteration count in SCRAM credential");
        }
        return new ScramCredential(decode(params[1], "salt"), iterations, decode(keys[0], "storedKey"),
                decode(keys[1], "serverKey"));
    }

    private static byte[] decode(String b64, String what) {
        try {
            if (b64.isEmpty()) {
                throw new IllegalArgumentException();
            }
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad Base64 " + what + " in SCRAM credential");
        }
    }

    /** The text form; {@link #parse(String)} reads it back. */
    public String format() {
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + iterations + ':' + b64.encodeToString(salt) + '$' + b64.encodeToString(storedKey) + ':'
                + b64.encodeToString(serverKey);
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    /** Package-private views without copying, for the exchange. */
    byte[] saltRef() {
        return salt;
    }

    byte[] storedKeyRef() {
        return storedKey;
    }

    byte[] serverKeyRef() {
        return serverKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredential c && iterations == c.iterations && Arrays.equals(salt, c.salt)
                && MessageDigest.isEqual(storedKey, c.storedKey) && MessageDigest.isEqual(serverKey, c.serverKey);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(salt) + iterations) + Arrays.hashCode(storedKey);
    }

    /** Leaves the keys out, so a log line cannot leak them. */
    @Override
    public String toString() {
        return "ScramCredential[iterations=" + iterations + ", salt=" + Base64.getEncoder().encodeToString(salt)
                + ", keys=***]";
    }
}
