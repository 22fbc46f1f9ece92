package io.volantmq.it;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.volantmq.broker.auth.PasswordFile;
import io.volantmq.broker.auth.PasswordHash;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * ACLs over real sockets: publish, subscribe and receive denials with each protocol's answer, pattern
 * substitution with hostile client ids, and a reload that changes the rules under connected clients.
 */
class AclIT {
    private static final List<String> RULES = List.of(
            "user alice",
            "topic readwrite alice/#",
            "topic read news/#",
            "topic deny news/internal",
            "user bob",
            "topic write news/#",
            "topic write alice/inbox",
            "pattern readwrite devices/%c/#");

    @TempDir
    static Path dir;
    private static Path acl;
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        Path passwords = dir.resolve("passwd");
        PasswordFile.empty()
                .with("alice", PasswordHash.create("a", PasswordHash.MIN_ITERATIONS))
                .with("bob", PasswordHash.create("b", PasswordHash.MIN_ITERATIONS))
                .write(passwords);
        acl = dir.resolve("acl");
        writeAcl(RULES);
        broker = BrokerFixture.start(b -> b
                .setting("auth", "file,anonymous")
                .setting("auth.anonymous.onlyWithoutCredentials", "true")
                .setting("auth.file.path", passwords.toString())
                .setting("acl.file", acl.toString())
                .setting("reloadIntervalMillis", "100"));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static void writeAcl(List<String> lines) throws IOException {
        Path tmp = Files.createTempFile(dir, "acl", ".tmp");
        Files.write(tmp, lines);
        Files.move(tmp, acl, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static org.eclipse.paho.client.mqttv3.MqttClient paho(String clientId, String user, String password,
                                                                  PahoSupport.Recorder recorder) throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient client = PahoSupport.client(broker.uri(), clientId, recorder);
        MqttConnectOptions options = PahoSupport.options(true);
        if (user != null) {
            options.setUserName(user);
            options.setPassword(password.toCharArray());
        }
        client.connect(options);
        return client;
    }

    @Test
    void v311PublishesThatTheAclDeniesAreAcknowledgedAndDropped() throws Exception {
        PahoSupport.Recorder aliceGets = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient alice = paho("alice-1", "alice", "a", aliceGets);
        alice.subscribe("alice/#", 1);
        PahoSupport.Recorder bobGets = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient bob = paho("bob-1", "bob", "b", bobGets);
        // 3.1.1 has no way to refuse a PUBLISH: the ack is normal, the message goes nowhere
        bob.publish("alice/private", "denied".getBytes(StandardCharsets.UTF_8), 1, false);
        bob.publish("alice/inbox", "allowed".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(aliceGets.next().payload()).as("the denied message, sent first, never arrives").isEqualTo("allowed");
        assertThat(bob.isConnected()).isTrue();
        bob.disconnect();
        alice.disconnect();
    }

    @Test
    void v311SubscriptionsBeyondTheRulesGet0x80() throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient bob = paho("bob-2", "bob", "b", new PahoSupport.Recorder());
        MqttException e = assertThrows(MqttException.class, () -> bob.subscribe("alice/#", 1));
        assertThat(e.getReasonCode()).isEqualTo(128);
        org.eclipse.paho.client.mqttv3.MqttClient alice = paho("alice-2", "alice", "a", new PahoSupport.Recorder());
        assertThrows(MqttException.class, () -> alice.subscribe("#", 0), "news/# does not cover #");
        alice.subscribe("news/#", 0);
        alice.disconnect();
        bob.disconnect();
    }

    @Test
    void aDeniedTopicIsNotDeliveredThroughAnAllowedWildcard() throws Exception {
        PahoSupport.Recorder aliceGets = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient alice = paho("alice-3", "alice", "a", aliceGets);
        alice.subscribe("news/#", 1);
        org.eclipse.paho.client.mqttv3.MqttClient bob = paho("bob-3", "bob", "b", new PahoSupport.Recorder());
        bob.publish("news/internal", "secret".getBytes(StandardCharsets.UTF_8), 1, false);
        bob.publish("news/public", "hello".getBytes(StandardCharsets.UTF_8), 1, false);
        PahoSupport.Received r = aliceGets.next();
        assertThat(r.topic()).isEqualTo("news/public");
        bob.disconnect();
        alice.disconnect();
    }

    @Test
    void mqtt5HearsNotAuthorizedOnPublishAndSubscribe() {
        Mqtt5BlockingClient bob = MqttClient.builder().useMqttVersion5().identifier("bob-5")
                .serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
        bob.connectWith().simpleAuth().username("bob").password("b".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().send();
        Mqtt5PubAckException refused = assertThrows(Mqtt5PubAckException.class, () -> bob.publishWith()
                .topic("alice/private").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send());
        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        Mqtt5SubAckException subRefused = assertThrows(Mqtt5SubAckException.class,
                () -> bob.subscribeWith().topicFilter("alice/#").qos(MqttQos.AT_LEAST_ONCE).send());
        assertThat(subRefused.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        bob.disconnect();
    }

    @Test
    void aClientIdWithWildcardsCannotWidenThePattern() throws Exception {
        PahoSupport.Recorder ownerGets = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient owner = paho("sensor-1", null, null, ownerGets);
        owner.subscribe("devices/sensor-1/#", 1);
        // 3.1.1 lets a client id hold any characters; these would widen devices/%c/# if substituted
        for (String hostile : List.of("+", "#", "sensor-1/#", "x/y")) {
            PahoSupport.Recorder gets = new PahoSupport.Recorder();
            org.eclipse.paho.client.mqttv3.MqttClient attacker = paho(hostile, null, null, gets);
            assertThrows(MqttException.class, () -> attacker.subscribe("devices/+/#", 1), hostile);
            assertThrows(MqttException.class, () -> attacker.subscribe("devices/" + hostile, 1), hostile);
            attacker.publish("devices/sensor-1/cmd", ("from " + hostile).getBytes(StandardCharsets.UTF_8), 1, false);
            attacker.disconnect();
        }
        owner.publish("devices/sensor-1/state", "own".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(ownerGets.next().payload()).as("none of the attackers' messages came first").isEqualTo("own");
        owner.disconnect();
    }

    @Test
    void changedRulesApplyToConnectedClientsWithoutDroppingThem() throws Exception {
        PahoSupport.Recorder aliceGets = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient alice = paho("alice-4", "alice", "a", aliceGets);
        alice.subscribe("alice/#", 1);
        PahoSupport.Recorder bobGets = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient bob = paho("bob-4", "bob", "b", bobGets);
        bob.publish("alice/direct", "before".getBytes(StandardCharsets.UTF_8), 1, false);
        try {
            writeAcl(java.util.stream.Stream.concat(RULES.stream(), java.util.stream.Stream.of(
                    "user bob", "topic write alice/direct")).toList());
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                bob.publish("alice/direct", "after".getBytes(StandardCharsets.UTF_8), 1, false);
                PahoSupport.Received r = aliceGets.poll(200);
                return r != null && r.payload().equals("after");
            });
            assertThat(bob.isConnected()).isTrue();
            assertThat(alice.isConnected()).isTrue();
            assertThat(bobGets.lost).isEmpty();
            assertThat(aliceGets.lost).isEmpty();
        } finally {
            writeAcl(RULES);
        }
        bob.disconnect();
        alice.disconnect();
    }
}
