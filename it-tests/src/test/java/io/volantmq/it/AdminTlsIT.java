package io.volantmq.it;

import io.volantmq.broker.auth.PasswordFile;
import io.volantmq.broker.auth.PasswordHash;
import io.volantmq.broker.transport.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin endpoint over TLS ({@code adminServerCert} / {@code adminServerKey}), its API protected by
 * the auth SPI instead of a token: HTTP Basic credentials checked by the {@code file} provider against
 * a password file of the admin API's own ({@code admin.auth.file.path}), for the users in
 * {@code adminUsers} only.
 */
class AdminTlsIT {
    @TempDir
    static Path dir;
    private static BrokerFixture broker;
    private static AdminApiIT.Http https;
    private static int adminPort;

    @BeforeAll
    static void start() throws Exception {
        TestPki.Issued ca = TestPki.ca("VolantMQ admin test CA");
        TestPki.brokerFiles(dir, ca);
        Path mqttUsers = dir.resolve("mqtt-passwd");
        PasswordFile.empty().with("device", PasswordHash.create("device-pw", 1_000)).write(mqttUsers);
        Path adminUsers = dir.resolve("admin-passwd");
        PasswordFile.empty().with("root", PasswordHash.create("root-pw", 1_000))
                .with("device", PasswordHash.create("device-pw", 1_000)).write(adminUsers);
        broker = BrokerFixture.start(b -> b
                .setting("auth", "file")
                .setting("auth.file.path", mqttUsers.toString())
                .setting("adminAddr", "127.0.0.1:0")
                .setting("adminServerCert", dir.resolve("chain.pem").toString())
                .setting("adminServerKey", dir.resolve("key.pem").toString())
                .setting("adminAuth", "file")
                .setting("admin.auth.file.path", adminUsers.toString())
                .setting("adminUsers", "root"));
        adminPort = broker.broker().adminAddress().getPort();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(TestPki.clientContext(ca, null, "TLSv1.3")).connectTimeout(Duration.ofSeconds(5)).build();
        https = new AdminApiIT.Http(client, "https://localhost:" + adminPort);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void healthAndMetricsAreServedOverTls() throws Exception {
        assertThat(https.send("GET", "/health", null, null, null).status()).isEqualTo(200);
        AdminApiIT.Response metrics = https.send("GET", "/metrics", null, null, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(AdminApiIT.PrometheusText.parse(metrics.body())).containsKey("volantmq_clients_connected");
    }

    @Test
    void plainHttpGetsNoAnswerFromTheTlsPort() {
        AdminApiIT.Http plain = new AdminApiIT.Http(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build(), "http://127.0.0.1:" + adminPort);
        assertThatThrownBy(() -> plain.send("GET", "/health", null, null, null)).isInstanceOf(IOException.class);
    }

    @Test
    void anAdminUserWithTheRightPasswordIsLetIn() throws Exception {
        AdminApiIT.Response r = https.send("GET", "/api/config", basic("root", "root-pw"), null, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(AdminApiIT.map(r.json().get("settings"))).containsEntry("adminAuth", "file");
        AdminApiIT.Response published = https.send("POST", "/api/publish", basic("root", "root-pw"),
                "application/json", "{\"topic\":\"tls/admin\",\"payload\":\"ok\"}");
        assertThat(published.status()).isEqualTo(200);
    }

    @Test
    void othersAreRefused() throws Exception {
        String[] refused = {basic("root", "wrong"), basic("device", "device-pw"), basic("nobody", "x"),
                "Bearer anything", null};
        for (String credentials : refused) {
            AdminApiIT.Response r = https.send("GET", "/api/clients", credentials, null, null);
            assertThat(r.status()).as(String.valueOf(credentials)).isEqualTo(401);
            assertThat(r.challenge()).contains("Basic");
        }
    }
}
