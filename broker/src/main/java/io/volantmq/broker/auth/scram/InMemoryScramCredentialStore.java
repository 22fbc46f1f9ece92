package io.volantmq.broker.auth.scram;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A fixed set of SCRAM-SHA-256 users held in memory, for tests and small deployments. Built either from
 * clear-text passwords, which are hashed at construction (each with its own random salt, at
 * {@value ScramCredential#DEFAULT_ITERATIONS} iterations unless stated, never fewer than
 * {@value ScramCredential#MIN_ITERATIONS}) and then dropped, or from ready credentials
 * ({@link #ofCredentials}), e.g. read from a password file in the {@link ScramCredential#format() text form}.
 * User names are matched exactly (no case folding, no SASLprep).
 */
public final class InMemoryScramCredentialStore implements ScramCredentialStore {

    private final Map<String, ScramCredential> credentials;

    /** Hashes each password at {@value ScramCredential#DEFAULT_ITERATIONS} iterations. */
    public InMemoryScramCredentialStore(Map<String, String> passwords) {
        this(passwords, ScramCredential.DEFAULT_ITERATIONS);
    }

    /**
     * Hashes each password at {@code iterations} iterations (at least {@value ScramCredential#MIN_ITERATIONS}).
     * Takes about {@code users * iterations} HMAC computations: keep it off an event loop.
     *
     * @throws IllegalArgumentException for an empty user name, a password SASLprep rejects, or a bad count
     */
    public InMemoryScramCredentialStore(Map<String, String> passwords, int iterations) {
        Objects.requireNonNull(passwords, "passwords");
        if (iterations < ScramCredential.MIN_ITERATIONS || iterations > ScramCredential.MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be in " + ScramCredential.MIN_ITERATIONS + ".."
                    + ScramCredential.MAX_ITERATIONS + ", got " + iterations);
        }
        Map<String, ScramCredential> m = new HashMap<>();
        passwords.forEach((user, password) -> {
            checkUser(user);
            try {
                m.put(user, ScramCredential.fromPassword(password, iterations));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("user '" + user + "': " + e.getMessage());
            }
        });
        this.credentials = Map.copyOf(m);
    }

    private InMemoryScramCredentialStore(Map<String, ScramCredential> credentials, boolean ignored) {
        Map<String, ScramCredential> m = new HashMap<>();
        credentials.forEach((user, credential) -> {
            checkUser(user);
            m.put(user, Objects.requireNonNull(credential, "credential for " + user));
        });
        this.credentials = Map.copyOf(m);
    }

    /** A store of ready credentials (no hashing). */
    public static InMemoryScramCredentialStore ofCredentials(Map<String, ScramCredential> credentials) {
        return new InMemoryScramCredentialStore(Objects.requireNonNull(credentials, "credentials"), true);
    }

    private static void checkUser(String user) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("empty user name");
        }
    }

    @Override
    public Optional<ScramCredential> lookup(String username) {
        return username == null ? Optional.empty() : Optional.ofNullable(credentials.get(username));
    }

    /** How many users. */
    public int size() {
        return credentials.size();
    }

    @Override
    public String toString() {
        return "InMemoryScramCredentialStore[" + credentials.size() + " users]";
    }
}
