package io.volantmq.broker.auth;

import io.volantmq.broker.auth.scram.ScramCredential;
import io.volantmq.broker.auth.scram.ScramSha256Mechanism;
import io.volantmq.broker.protocol.ProtocolVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What a listener's auth list brings: SCRAM-SHA-256 over the file provider's password file. */
class ListenerAuthTest {
    @TempDir
    Path dir;

    private static String serverFirst(EnhancedAuthMechanism scram, String user) {
        AuthRequest request = new AuthRequest("tcp", "c", null, null, null, List.of(), ProtocolVersion.MQTT_5);
        byte[] data = scram.start(request).step(("n,,n=" + user + ",r=abc").getBytes(StandardCharsets.UTF_8))
                .serverData();
        return new String(data, StandardCharsets.UTF_8);
    }

    @Test
    void scramOverThePasswordFileAnnouncesTheFilesIterationCountForUnknownUsersToo() throws Exception {
        Path file = dir.resolve("passwd");
        PasswordFile.empty()
                .with("bob", PasswordHash.create("b", 1000), ScramCredential.fromPassword("b", 8192))
                .write(file);
        Settings settings = Settings.global(Map.of("auth", "file", "auth.file.path", file.toString()));
        try (Security security = Security.open(settings, AuthProviders.of(List.of(new FileAuthProvider())))) {
            Security.ListenerAuth auth = security.listenerAuth("listener test", settings, Map.of());
            EnhancedAuthMechanism scram = auth.methods().get(ScramSha256Mechanism.METHOD);

            assertThat(serverFirst(scram, "bob")).contains(",i=8192");
            assertThat(serverFirst(scram, "mallory")).as("an unknown user").contains(",i=8192");
        }
    }

    @Test
    void aChainWithoutTheFileProviderHasNoScram() {
        Settings settings = Settings.global(Map.of("auth", "anonymous"));
        try (Security security = Security.open(settings, AuthProviders.of(List.of(new AnonymousAuthProvider())))) {
            assertThat(security.listenerAuth("listener test", settings, Map.of()).methods()).isEmpty();
        }
    }
}
