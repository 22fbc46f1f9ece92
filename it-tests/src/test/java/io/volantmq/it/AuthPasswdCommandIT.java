package io.volantmq.it;

import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code ./volantmq passwd} as an operator runs it, against a broker that reloads the file it writes. */
class AuthPasswdCommandIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private static String passwd(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("volantmq").toString(), "passwd"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("VOLANTMQ_NO_BUILD", "1");
        Process p = builder.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    private static MqttConnectOptions login(String user, String password) {
        MqttConnectOptions options = PahoSupport.options(true);
        options.setUserName(user);
        options.setPassword(password.toCharArray());
        return options;
    }

    @Test
    void usersAddedAndRemovedWithTheCommandAreSeenByARunningBroker() throws Exception {
        Path file = dir.resolve("passwd");
        assertThat(passwd("open sesame\n", "--iterations", "1000", file.toString(), "alice")).contains("added alice");
        assertThat(Files.readString(file)).contains("alice:$pbkdf2-sha512$i=1000$").doesNotContain("open sesame");
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("auth", "file")
                .setting("auth.file.path", file.toString()).setting("reloadIntervalMillis", "100"))) {
            org.eclipse.paho.client.mqttv3.MqttClient alice = PahoSupport.client(broker.uri(), "alice",
                    new PahoSupport.Recorder());
            alice.connect(login("alice", "open sesame"));
            passwd("", "-D", file.toString(), "alice");
            org.eclipse.paho.client.mqttv3.MqttClient again = PahoSupport.client(broker.uri(), "alice-again",
                    new PahoSupport.Recorder());
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                try {
                    again.connect(login("alice", "open sesame"));
                    again.disconnect();
                    return false;
                } catch (MqttException e) {
                    return e.getReasonCode() == 4;
                }
            });
            assertThat(alice.isConnected()).as("removing a user does not drop its connection").isTrue();
            alice.disconnect();
            assertThrows(MqttException.class, () -> again.connect(login("alice", "open sesame")));
        }
    }
}
