package io.volantmq.broker.admin;

import io.volantmq.broker.auth.AnonymousAuthProvider;
import io.volantmq.broker.auth.AuthProviders;
import io.volantmq.broker.auth.FileAuthProvider;
import io.volantmq.broker.auth.PasswordFile;
import io.volantmq.broker.auth.PasswordHash;
import io.volantmq.broker.auth.Security;
import io.volantmq.broker.auth.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminAuthTest {
    @TempDir
    Path dir;
    private Security security;
    private AdminAuth auth;

    @AfterEach
    void close() {
        if (auth != null) {
            auth.close();
        }
        if (security != null) {
            security.close();
        }
    }

    private AdminAuth open(Map<String, String> settings) {
        Settings s = Settings.global(settings);
        security = Security.open(s, AuthProviders.of(List.of(new FileAuthProvider(), new AnonymousAuthProvider())));
        auth = AdminAuth.open(s, security);
        return auth;
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private Path passwords(String name, String... userPasswordPairs) throws Exception {
        PasswordFile file = PasswordFile.empty();
        for (int i = 0; i < userPasswordPairs.length; i += 2) {
            file = file.with(userPasswordPairs[i], PasswordHash.create(userPasswordPairs[i + 1], 1_000));
        }
        Path path = dir.resolve(name);
        file.write(path);
        return path;
    }

    @Test
    void aTokenIsComparedExactly() {
        AdminAuth a = AdminAuth.ofToken("abc");
        assertThat(a.check("Bearer abc", null).join().allowed()).isTrue();
        assertThat(a.check("Bearer abc", null).join().principal()).isEqualTo("token");
        assertThat(a.check("Bearer abcd", null).join().allowed()).isFalse();
        assertThat(a.check("Bearer ab", null).join().allowed()).isFalse();
        assertThat(a.check("Bearer", null).join().allowed()).isFalse();
        assertThat(a.check(null, null).join().refusal()).isEqualTo("credentials required");
        assertThat(a.check(basic("a", "abc"), null).join().refusal()).isEqualTo("unsupported authorization scheme");
        assertThat(AdminAuth.ofToken(null).check("Bearer abc", null).join().allowed()).isFalse();
    }

    @Test
    void basicCredentialsGoThroughTheProviderChainForAdminUsersOnly() throws Exception {
        Path file = passwords("passwd", "alice", "wonderland", "bob", "builder");
        Map<String, String> s = new HashMap<>(Map.of("auth.file.path", file.toString(), "adminAuth", "file",
                "adminUsers", "alice"));
        AdminAuth a = open(s);
        assertThat(a.challenge()).contains("Basic");
        assertThat(a.check(basic("alice", "wonderland"), null).join().principal()).isEqualTo("user alice");
        assertThat(a.check(basic("alice", "wonderland"), null).join().allowed()).as("remembered").isTrue();
        assertThat(a.check(basic("alice", "wrong"), null).join().allowed()).isFalse();
        assertThat(a.check(basic("bob", "builder"), null).join().refusal()).contains("not in volantmq.adminUsers");
        assertThat(a.check(basic("carol", "x"), null).join().allowed()).isFalse();
        assertThat(a.check("Basic !!!", null).join().refusal()).contains("malformed");
        assertThat(a.check("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes()), null).join().allowed())
                .isFalse();
    }

    @Test
    void theAdminApiCanHaveAPasswordFileOfItsOwn() throws Exception {
        Path mqtt = passwords("mqtt", "alice", "mqtt-password");
        Path admin = passwords("admin", "alice", "admin-password");
        AdminAuth a = open(Map.of("auth.file.path", mqtt.toString(), "admin.auth.file.path", admin.toString(),
                "adminAuth", "file", "adminUsers", "alice"));
        assertThat(a.check(basic("alice", "admin-password"), null).join().allowed()).isTrue();
        assertThat(a.check(basic("alice", "mqtt-password"), null).join().allowed()).isFalse();
    }

    @Test
    void unsafeSetupsAreRefusedAtStart() {
        assertThatThrownBy(() -> open(Map.of("adminAuth", "anonymous", "adminUsers", "alice")))
                .hasMessageContaining("adminAuth");
        assertThatThrownBy(() -> open(Map.of("adminAuth", "file", "auth.file.path", "/nonexistent")))
                .hasMessageContaining("adminUsers");
    }
}
