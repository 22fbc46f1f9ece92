package io.volantmq.it;

import io.volantmq.broker.admin.Json;
import io.volantmq.broker.cli.Cli;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code volantmq ctl} (picocli, in-process) against a real broker's admin HTTP endpoint, with a real
 * MQTT client on the other side of each operation.
 */
class CtlIT {
    private static final String TOKEN = "ctl-it-token";
    private static BrokerFixture broker;
    private static String url;

    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start(b -> b.setting("adminAddr", "127.0.0.1:0").setting("adminToken", TOKEN));
        url = "http://127.0.0.1:" + broker.broker().adminAddress().getPort();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @BeforeEach
    void clear() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
    }

    /** ctl with the token in the environment, as an operator's shell would have it. */
    private int ctl(String... args) {
        return ctlWithEnv(Map.of("VOLANTMQ_ADMIN_URL", url, "VOLANTMQ_ADMIN_TOKEN", TOKEN), args);
    }

    private int ctlWithEnv(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "ctl";
        System.arraycopy(args, 0, all, 1, args.length);
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Cli.execute(new PrintWriter(out, true), new PrintWriter(err, true), env, all);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> json() {
        return (Map<String, Object>) Json.parse(out.toString().trim());
    }

    @Test
    void healthNeedsNoCredentials() {
        assertThat(ctlWithEnv(Map.of(), "health", "--url", url)).as(err.toString()).isZero();
        assertThat(json()).containsEntry("status", "UP").containsEntry("ready", true);
    }

    @Test
    void listsShowsAndKicksAConnectedClient() throws Exception {
        PahoSupport.Recorder recorder = new PahoSupport.Recorder();
        MqttClient client = PahoSupport.connect(broker.uri(), "ctl-kick-me", false, recorder);
        try {
            client.subscribe("ctl/#", 1);
            assertThat(ctl("clients")).as(err.toString()).isZero();
            assertThat((List<Map<String, Object>>) json().get("clients"))
                    .anySatisfy(c -> assertThat(c).containsEntry("clientId", "ctl-kick-me").containsEntry("online", true));

            assertThat(ctl("clients", "ctl-kick-me")).isZero();
            assertThat(json()).containsEntry("clientId", "ctl-kick-me");

            assertThat(ctl("subscriptions", "--client", "ctl-kick-me")).isZero();
            assertThat(out.toString()).contains("\"filter\":\"ctl/#\"");

            assertThat(ctl("kick", "ctl-kick-me")).as(err.toString()).isZero();
            assertThat(json()).containsEntry("disconnected", true);
            await().until(() -> !recorder.lost.isEmpty());
            assertThat(client.isConnected()).isFalse();

            assertThat(ctl("kick", "ctl-kick-me")).as("not connected any more").isEqualTo(1);
            assertThat(err.toString()).contains("HTTP 404").contains("is not connected");
        } finally {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }

    @Test
    void publishesRetainsListsAndDeletesRetainedMessages() throws Exception {
        PahoSupport.Recorder recorder = new PahoSupport.Recorder();
        MqttClient client = PahoSupport.connect(broker.uri(), "ctl-listener", true, recorder);
        try {
            client.subscribe("ctl/pub/#", 1);
            assertThat(ctl("publish", "ctl/pub/a", "hello from ctl", "--qos", "1", "--retain")).as(err.toString())
                    .isZero();
            PahoSupport.Received received = recorder.next();
            assertThat(received.topic()).isEqualTo("ctl/pub/a");
            assertThat(received.payload()).isEqualTo("hello from ctl");
            assertThat(received.message().getQos()).isEqualTo(1);

            assertThat(ctl("retained", "--filter", "ctl/pub/#")).isZero();
            assertThat(json()).containsEntry("total", 1L);
            assertThat(out.toString()).contains("hello from ctl");

            assertThat(ctl("retained", "--delete", "ctl/pub/a")).isZero();
            assertThat(ctl("retained", "--filter", "ctl/pub/#")).isZero();
            assertThat(json()).containsEntry("total", 0L);
        } finally {
            client.disconnect();
            client.close();
        }
    }

    @Test
    void optionsWorkBeforeAndAfterTheSubcommandAndTheTokenComesFromAFile() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, TOKEN + "\n");
        assertThat(ctlWithEnv(Map.of(), "--url", url, "--token-file", token.toString(), "config")).as(err.toString())
                .isZero();
        assertThat(out.toString()).contains("\"adminToken\"").doesNotContain(TOKEN);
        assertThat(ctlWithEnv(Map.of(), "config", "--url", url, "--token-file", token.toString())).isZero();
    }

    @Test
    void refusalsAndUnreachableEndpointsAreExplained() throws Exception {
        assertThat(ctlWithEnv(Map.of("VOLANTMQ_ADMIN_URL", url), "clients")).isEqualTo(1);
        assertThat(err.toString()).contains("HTTP 401").contains("--token-file");

        assertThat(ctlWithEnv(Map.of("VOLANTMQ_ADMIN_URL", url, "VOLANTMQ_ADMIN_TOKEN", "wrong"), "clients"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("HTTP 401");

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertThat(ctlWithEnv(Map.of(), "health", "--url", "127.0.0.1:" + closed)).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach the admin endpoint at http://127.0.0.1:" + closed);
    }

    @Test
    void reloadAsksTheBrokerToReadItsFilesAgain() {
        assertThat(ctl("reload")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"ok\":true").contains("\"filesReloaded\"");
    }
}
