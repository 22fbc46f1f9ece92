package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.transport.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Chains of the real providers, found by ServiceLoader as the broker finds them. */
class AuthChainTest {
    @TempDir
    Path dir;
    private final Reloader reloader = new Reloader(0);
    private final ExecutorService hashing = Executors.newFixedThreadPool(2);
    private final AuthProviders providers = AuthProviders.load(getClass().getClassLoader());
    private final Map<String, String> settings = new HashMap<>();

    @AfterEach
    void close() {
        reloader.close();
        hashing.shutdownNow();
    }

    private AuthChain chain(String names) {
        return providers.chain(AuthProviders.names(names), "listener test", Settings.global(settings), hashing,
                reloader);
    }

    private static AuthRequest request(String user, String password, List<X509Certificate> certificates) {
        return new AuthRequest("ssl://127.0.0.1:8883", "c1", user,
                password == null ? null : password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 4000), certificates, ProtocolVersion.MQTT_5);
    }

    private static AuthResult await(Authenticator chain, AuthRequest request) throws Exception {
        return chain.authenticate(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void passwordFile() throws Exception {
        Path file = dir.resolve("passwd");
        PasswordFile.empty().with("alice", PasswordHash.create("pw", 1_000)).write(file);
        settings.put("auth.file.path", file.toString());
    }

    @Test
    void theBuiltInProvidersAreFoundByName() {
        assertThat(providers.byName()).containsKeys("anonymous", "file", "certificate");
    }

    @Test
    void twoProvidersWithOneNameAreRefused() {
        assertThatThrownBy(() -> AuthProviders.of(List.of(new AnonymousAuthProvider(), new AnonymousAuthProvider())))
                .hasMessageContaining("two auth providers are named 'anonymous'");
    }

    @Test
    void anUnknownProviderNameFailsWithTheKnownOnesListed() {
        assertThatThrownBy(() -> chain("anonymous,ldap")).hasMessageContaining("unknown auth provider 'ldap'")
                .hasMessageContaining("certificate");
    }

    @Test
    void theFirstDefiniteAnswerWins() throws Exception {
        passwordFile();
        TestPki.Issued ca = TestPki.ca("test CA");
        List<X509Certificate> device = List.of(TestPki.client(ca, "CN=device-1,O=Test").certificate());
        // the certificate decides before the password is looked at ...
        try (AuthChain chain = chain("certificate,file")) {
            AuthResult r = await(chain, request("alice", "wrong", device));
            assertThat(r.allowed()).isTrue();
            assertThat(r.username()).as("the certificate's CN becomes the user name").isEqualTo("device-1");
        }
        // ... and the other way round the wrong password is refused first
        try (AuthChain chain = chain("file,certificate")) {
            AuthResult r = await(chain, request("alice", "wrong", device));
            assertThat(r.allowed()).isFalse();
            assertThat(r.reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
            assertThat(await(chain, request("bob", "x", device)).username())
                    .as("an unknown user falls through to the certificate").isEqualTo("device-1");
        }
    }

    @Test
    void anonymousCanBeLimitedToClientsWithoutCredentials() throws Exception {
        passwordFile();
        try (AuthChain open = chain("file,anonymous")) {
            assertThat(await(open, request("mallory", "x", List.of())).allowed())
                    .as("plain anonymous admits whatever name the file did not know").isTrue();
        }
        settings.put("auth.anonymous.onlyWithoutCredentials", "true");
        try (AuthChain strict = chain("file,anonymous")) {
            assertThat(await(strict, request(null, null, List.of())).allowed()).isTrue();
            assertThat(await(strict, request("alice", "pw", List.of())).allowed()).isTrue();
            AuthResult unknown = await(strict, request("mallory", "x", List.of()));
            assertThat(unknown.allowed()).isFalse();
            assertThat(unknown.reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        }
    }

    @Test
    void certificateProviderAbstainsWithoutACertificateAndCanUseTheWholeSubject() throws Exception {
        TestPki.Issued ca = TestPki.ca("test CA");
        try (AuthChain chain = chain("certificate")) {
            assertThat(await(chain, request(null, null, List.of())).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            List<X509Certificate> noCn = List.of(TestPki.client(ca, "O=Test,OU=No Name").certificate());
            assertThat(await(chain, request(null, null, noCn)).allowed()).isFalse();
        }
        settings.put("auth.certificate.username", "dn");
        try (AuthChain chain = chain("certificate")) {
            X509Certificate device = TestPki.client(ca, "CN=device-2,O=Test").certificate();
            assertThat(await(chain, request(null, null, List.of(device))).username())
                    .isEqualTo(device.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253))
                    .contains("CN=device-2").contains("O=Test");
        }
    }

    @Test
    void aFailingProviderFailsTheChainInsteadOfLettingTheClientIn() {
        AuthChain chain = new AuthChain(List.of("broken", "anonymous"), List.of(
                request -> { throw new IllegalStateException("down"); },
                request -> CompletableFuture.completedFuture(Optional.of(AuthResult.allow()))));
        assertThatThrownBy(() -> await(chain, request(null, null, List.of()))).hasMessageContaining("broken");
    }

    @Test
    void providersAreAskedInOrderAndOnlyUntilOneAnswers() throws Exception {
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        AuthCheck abstain = r -> {
            asked.add("first");
            return CompletableFuture.completedFuture(Optional.empty());
        };
        AuthCheck deny = r -> {
            asked.add("second");
            return CompletableFuture.completedFuture(Optional.of(AuthResult.deny(ReasonCode.BANNED, "banned")));
        };
        AuthCheck allow = r -> {
            asked.add("third");
            return CompletableFuture.completedFuture(Optional.of(AuthResult.allow()));
        };
        AuthResult r = await(new AuthChain(List.of("a", "b", "c"), List.of(abstain, deny, allow)),
                request(null, null, List.of()));
        assertThat(r.reasonCode()).isEqualTo(ReasonCode.BANNED);
        assertThat(asked).containsExactly("first", "second");
    }
}
