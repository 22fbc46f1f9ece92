package io.volantmq.broker.auth.scram;

import io.volantmq.broker.auth.AuthRequest;
import io.volantmq.broker.auth.EnhancedAuthExchange;
import io.volantmq.broker.auth.EnhancedAuthMechanism;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@code SCRAM-SHA-256} enhanced authentication method (RFC 5802 with SHA-256, RFC 7677), server side,
 * over MQTT 5 AUTH: the CONNECT's Authentication Data carries the client-first-message, the server answers
 * AUTH 0x18 with the server-first-message, the client's AUTH 0x18 carries the client-final-message, and
 * the CONNACK (or AUTH 0x00 on re-authentication) carries the server-final-message {@code v=...}.
 *
 * <p>Supported: GS2 header {@code n,,} and {@code y,,} (no channel binding; "y" is accepted since this
 * server never offers {@code SCRAM-SHA-256-PLUS}), an authzid only when equal to the user name, the
 * {@code =2C}/{@code =3D} user name escapes, optional extensions (ignored, as RFC 5802 requires).
 * Refused: channel binding {@code p=} and the mandatory extension {@code m=}, both with 0x8C Bad
 * authentication method; malformed messages, nonce or channel-binding mismatch, a CONNECT user name that
 * differs from the SCRAM one, and any step after the exchange ended, with 0x87 Not authorized; a wrong
 * proof or an unknown user with 0x86 Bad user name or password, indistinguishably: an unknown user gets a
 * stable made-up salt and the configured iteration count, and the proof is checked in full against
 * made-up keys. Exchanges never throw.
 *
 * <p>If the client sends no initial response (a CONNECT with the method but no Authentication Data), the
 * exchange answers once with an empty challenge (AUTH 0x18 without data), as SASL does, and expects the
 * client-first-message next.
 *
 * <p>The made-up salts are derived from a key drawn at construction, so they stay stable for the life of
 * this instance but change when it is rebuilt (e.g. at broker restart); a real user's salt does not.
 */
public final class ScramSha256Mechanism implements EnhancedAuthMechanism {
    public static final String METHOD = "SCRAM-SHA-256";
    /** Random bytes in each server nonce (Base64-encoded into it); RFC 5802 asks for enough entropy. */
    static final int SERVER_NONCE_BYTES = 24;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ScramCredentialStore store;
    private final int unknownUserIterations;
    private final Supplier<String> serverNonces;
    private final byte[] decoyKey;

    /** Unknown users are answered as if their credential had {@value ScramCredential#DEFAULT_ITERATIONS} iterations. */
    public ScramSha256Mechanism(ScramCredentialStore store) {
        this(store, ScramCredential.DEFAULT_ITERATIONS);
    }

    /**
     * @param unknownUserIterations the iteration count announced for unknown users: set it to what the
     *                              store's credentials use, or the count gives away that a user is unknown
     */
    public ScramSha256Mechanism(ScramCredentialStore store, int unknownUserIterations) {
        this(store, unknownUserIterations, ScramSha256Mechanism::randomNonce);
    }

    /** For tests only: a fixed server nonce part (e.g. RFC 7677's). */
    ScramSha256Mechanism(ScramCredentialStore store, int unknownUserIterations, Supplier<String> serverNonces) {
        this.store = Objects.requireNonNull(store, "store");
        if (unknownUserIterations < ScramCredential.MIN_ITERATIONS
                || unknownUserIterations > ScramCredential.MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in " + ScramCredential.MIN_ITERATIONS + ".."
                    + ScramCredential.MAX_ITERATIONS + ", got " + unknownUserIterations);
        }
        this.unknownUserIterations = unknownUserIterations;
        this.serverNonces = Objects.requireNonNull(serverNonces, "serverNonces");
        this.decoyKey = new byte[32];
        RANDOM.nextBytes(decoyKey);
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public EnhancedAuthExchange start(AuthRequest request) {
        return new ScramServerExchange(this, request);
    }

    ScramCredentialStore store() {
        return store;
    }

    String nextServerNonce() {
        return serverNonces.get();
    }

    /**
     * A credential for a user who does not exist: the same salt every time for the same name (so repeated
     * attempts cannot tell it from a real one), keys nobody knows.
     */
    ScramCredential decoyCredential(String username) {
        byte[] name = username.getBytes(StandardCharsets.UTF_8);
        byte[] salt = Arrays.copyOf(ScramCrypto.hmac(decoyKey, tagged((byte) 1, name)), ScramCredential.DEFAULT_SALT_BYTES);
        byte[] storedKey = ScramCrypto.hmac(decoyKey, tagged((byte) 2, name));
        byte[] serverKey = ScramCrypto.hmac(decoyKey, tagged((byte) 3, name));
        return new ScramCredential(salt, store.unknownUserIterations().orElse(unknownUserIterations), storedKey,
                serverKey);
    }

    private static byte[] tagged(byte tag, byte[] data) {
        byte[] out = new byte[data.length + 1];
        out[0] = tag;
        System.arraycopy(data, 0, out, 1, data.length);
        return out;
    }

    private static String randomNonce() {
        byte[] bytes = new byte[SERVER_NONCE_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public String toString() {
        return "ScramSha256Mechanism[" + store + "]";
    }
}
