package io.volantmq.broker.auth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * User names must not be told apart by how long a wrong password takes: an unknown user costs the
 * same PBKDF2 work as a known one. Measured as the iteration counts the provider hashes with, not
 * as wall-clock time.
 */
class FileAuthTimingTest {
    @TempDir
    Path dir;
    private final Reloader reloader = new Reloader(0);
    private final List<Integer> iterations = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        reloader.close();
    }

    private int cost(AuthChain chain, String user) throws Exception {
        return cost(chain, user, "guess");
    }

    private int cost(AuthChain chain, String user, String password) throws Exception {
        iterations.clear();
        chain.authenticate(FileAuthProviderTest.request(user, password)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(iterations).as("one password check").hasSize(1);
        return iterations.get(0);
    }

    private AuthChain chain(Path file) {
        Settings settings = Settings.global(Map.of("auth.file.path", file.toString()));
        return AuthProviders.of(List.of(new FileAuthProvider(iterations::add)))
                .chain(List.of("file"), "listener test", settings, Runnable::run, reloader);
    }

    @Test
    void anUnknownUserCostsAsMuchAsAKnownOne() throws Exception {
        Path file = dir.resolve("passwd");
        PasswordFile.empty()
                .with("alice", PasswordHash.create("a", 20_000))
                .with("bob", PasswordHash.create("b", 20_000))
                .write(file);
        try (AuthChain chain = chain(file)) {
            int known = cost(chain, "alice");
            assertThat(known).isEqualTo(20_000);
            assertThat(cost(chain, "mallory")).isEqualTo(known);
            assertThat(cost(chain, "alice", null)).as("a user name without password").isEqualTo(known);
            assertThat(cost(chain, "mallory", null)).isEqualTo(known);
        }
    }

    @Test
    void withMixedCountsTheDecoyTakesTheMedianSoAnOutlierCannotMakeEveryGuessExpensive() throws Exception {
        Path file = dir.resolve("passwd");
        PasswordFile.empty()
                .with("a", PasswordHash.create("a", 2_000))
                .with("b", PasswordHash.create("b", 20_000))
                .with("c", PasswordHash.create("c", 20_000))
                .with("legacy", PasswordHash.create("l", 1_000))
                .with("d", PasswordHash.create("d", 20_000))
                .write(file);
        try (AuthChain chain = chain(file)) {
            assertThat(cost(chain, "mallory")).isEqualTo(cost(chain, "b"));
        }
    }
}
