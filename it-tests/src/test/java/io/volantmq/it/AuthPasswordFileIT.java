package io.volantmq.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.volantmq.broker.auth.PasswordFile;
import io.volantmq.broker.auth.PasswordHash;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.ProtocolVersion;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The file provider over a real socket: 3.1.1 return codes, MQTT 5 reason codes, reload in place. */
class AuthPasswordFileIT {
    @TempDir
    static Path dir;
    private static Path passwords;
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        passwords = dir.resolve("passwd");
        PasswordFile.empty()
                .with("alice", PasswordHash.create("wonderland", PasswordHash.MIN_ITERATIONS))
                .with("carol", PasswordHash.create("old password", PasswordHash.MIN_ITERATIONS))
                .write(passwords);
        broker = BrokerFixture.start(b -> b
                .setting("auth", "file")
                .setting("auth.file.path", passwords.toString())
                .setting("reloadIntervalMillis", "100")
                .setting("maxConnectPacketSize", "131072")); // room for aHugePasswordIsRefusedQuickly
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static MqttConnectOptions login(String user, String password) {
        MqttConnectOptions options = PahoSupport.options(true);
        if (user != null) {
            options.setUserName(user);
        }
        if (password != null) {
            options.setPassword(password.toCharArray());
        }
        return options;
    }

    private static int refusal(String clientId, String user, String password) throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient client = PahoSupport.client(broker.uri(), clientId,
                new PahoSupport.Recorder());
        MqttException e = assertThrows(MqttException.class, () -> client.connect(login(user, password)));
        return e.getReasonCode();
    }

    @Test
    void theRightPasswordConnectsAndWrongOnesGet0x04() throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient alice = PahoSupport.client(broker.uri(), "alice-1",
                new PahoSupport.Recorder());
        alice.connect(login("alice", "wonderland"));
        assertThat(alice.isConnected()).isTrue();
        alice.disconnect();
        assertThat(refusal("alice-2", "alice", "Wonderland")).as("bad password: CONNACK 0x04").isEqualTo(4);
        assertThat(refusal("nobody", "mallory", "x")).as("unknown user: CONNACK 0x04").isEqualTo(4);
        assertThat(refusal("alice-3", "alice", null)).as("no password: CONNACK 0x04").isEqualTo(4);
        assertThat(refusal("anon", null, null)).as("no credentials: CONNACK 0x05 not authorized").isEqualTo(5);
    }

    @Test
    void mqtt5ClientsHearBadUserNameOrPassword() {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("v5-bad")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        Mqtt5ConnAckException e = assertThrows(Mqtt5ConnAckException.class, () -> client.connectWith()
                .simpleAuth().username("alice").password("nope".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send());
        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        Mqtt5BlockingClient good = MqttClient.builder().useMqttVersion5().identifier("v5-good")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        good.connectWith().simpleAuth().username("alice").password("wonderland".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        good.disconnect();
    }

    @Test
    void aHugePasswordIsRefusedQuickly() throws Exception {
        byte[] huge = new byte[65_535]; // the largest binary field MQTT has
        java.util.Arrays.fill(huge, (byte) 'p');
        long start = System.nanoTime();
        try (RawClient raw = new RawClient(broker.port())) {
            ConnAck ack = raw.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "huge", true, 60, "alice", huge, null,
                    null));
            assertThat(ack.reasonCode()).isEqualTo(4);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
    }

    @Test
    void aChangedPasswordFileTakesEffectWithoutDroppingConnectedClients() throws Exception {
        PahoSupport.Recorder carolReceives = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient carol = PahoSupport.client(broker.uri(), "carol", carolReceives);
        carol.connect(login("carol", "old password"));
        carol.subscribe("reload/#", 1);
        assertThat(refusal("bob-early", "bob", "builder")).isEqualTo(4);

        PasswordFile.read(passwords)
                .with("bob", PasswordHash.create("builder", PasswordHash.MIN_ITERATIONS))
                .with("carol", PasswordHash.create("new password", PasswordHash.MIN_ITERATIONS))
                .write(passwords);

        org.eclipse.paho.client.mqttv3.MqttClient bob = PahoSupport.client(broker.uri(), "bob",
                new PahoSupport.Recorder());
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> {
                    bob.connect(login("bob", "builder"));
                    return true;
                });
        bob.publish("reload/x", "after reload".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(carolReceives.next().payload()).as("carol, logged in with the old password, stays").isEqualTo(
                "after reload");
        assertThat(carol.isConnected()).isTrue();
        assertThat(carolReceives.lost).isEmpty();
        assertThat(refusal("carol-again", "carol", "old password")).as("the old password no longer works")
                .isEqualTo(4);
        bob.disconnect();
        carol.disconnect();
    }
}
