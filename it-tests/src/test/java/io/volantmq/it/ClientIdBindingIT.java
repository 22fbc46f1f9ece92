package io.volantmq.it;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.PasswordFile;
import io.volantmq.broker.auth.PasswordHash;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static io.volantmq.it.Mqtt5Packets.props;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code volantmq.clientIdBinding=username}: a client id whose session (online or offline) belongs to
 * one user cannot be used by another, nor anonymously (v5 0x85, 3.x 0x02), so its queue and its
 * client-id ACL grants stay with it, across a restart on a durable store. Off (the default), the
 * client id is anybody's.
 */
class ClientIdBindingIT {
    @TempDir
    Path dir;
    private BrokerFixture broker;

    private BrokerFixture start(boolean binding, Consumer<BrokerConfig.Builder> more) throws Exception {
        Path passwords = dir.resolve("passwd");
        if (!Files.exists(passwords)) {
            PasswordFile.empty()
                    .with("alice", PasswordHash.create("a", PasswordHash.MIN_ITERATIONS))
                    .with("bob", PasswordHash.create("b", PasswordHash.MIN_ITERATIONS))
                    .write(passwords);
        }
        broker = BrokerFixture.start(b -> {
            b.setting("auth", "file,anonymous")
                    .setting("auth.anonymous.onlyWithoutCredentials", "true")
                    .setting("auth.file.path", passwords.toString());
            if (binding) {
                b.setting("clientIdBinding", "username");
            }
            more.accept(b);
        });
        return broker;
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private MqttClient paho(String clientId, String user, boolean clean, PahoSupport.Recorder recorder)
            throws MqttException {
        MqttClient client = PahoSupport.client(broker.uri(), clientId, recorder);
        MqttConnectOptions options = PahoSupport.options(clean);
        if (user != null) {
            options.setUserName(user);
            options.setPassword(user.substring(0, 1).toCharArray());
        }
        client.connect(options);
        return client;
    }

    private static Connect v5(String clientId, String user) {
        return new Connect(ProtocolVersion.MQTT_5, clientId, false, 60, user,
                user.substring(0, 1).getBytes(StandardCharsets.UTF_8), null,
                props(PropertyId.SESSION_EXPIRY_INTERVAL, 300L));
    }

    /** Alice leaves a persistent session with a subscription and one message queued in it. */
    private void aliceLeavesASessionWithAMessage() throws Exception {
        MqttClient alice = paho("device-1", "alice", false, new PahoSupport.Recorder());
        alice.subscribe("inbox/device-1", 1);
        alice.disconnect();
        alice.close();
        MqttClient sender = paho("sender", "alice", true, new PahoSupport.Recorder());
        sender.publish("inbox/device-1", "for alice".getBytes(StandardCharsets.UTF_8), 1, false);
        sender.disconnect();
        sender.close();
    }

    /** {@code user} connects as device-1 (clean session 0), finds the session and gets alice's queued message. */
    private void resumesAlicesSessionAndQueue(String user) throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        MqttClient client = PahoSupport.client(broker.uri(), "device-1", received);
        MqttConnectOptions options = PahoSupport.options(false);
        options.setUserName(user);
        options.setPassword(user.substring(0, 1).toCharArray());
        assertThat(client.connectWithResult(options).getSessionPresent()).isTrue();
        assertThat(received.next().payload()).isEqualTo("for alice");
        client.disconnect();
    }

    @Test
    void withBindingBobAndAnonymousCannotTakeAlicesOfflineSession() throws Exception {
        start(true, b -> { });
        aliceLeavesASessionWithAMessage();

        MqttException bob = assertThrows(MqttException.class,
                () -> paho("device-1", "bob", false, new PahoSupport.Recorder()));
        assertThat(bob.getReasonCode()).isEqualTo(ReasonCode.V3_IDENTIFIER_REJECTED);
        MqttException bobClean = assertThrows(MqttException.class,
                () -> paho("device-1", "bob", true, new PahoSupport.Recorder()));
        assertThat(bobClean.getReasonCode()).as("a clean session would discard alice's").isEqualTo(2);
        MqttException anonymous = assertThrows(MqttException.class,
                () -> paho("device-1", null, false, new PahoSupport.Recorder()));
        assertThat(anonymous.getReasonCode()).isEqualTo(2);

        resumesAlicesSessionAndQueue("alice");
    }

    @Test
    void withBindingBobCannotTakeOverAlicesConnectionEither() throws Exception {
        start(true, b -> { });
        try (RawClient alice = new RawClient(broker.port()); RawClient bob = new RawClient(broker.port())) {
            assertThat(alice.connect(v5("device-2", "alice")).reasonCode()).isZero();

            ConnAck refused = bob.connect(v5("device-2", "bob"));

            assertThat(refused.reasonCode()).isEqualTo(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
            alice.send(PingReq.INSTANCE);
            assertThat(alice.receive()).as("alice stays connected").isInstanceOf(PingResp.class);
            // and alice herself may still take over her own session
            try (RawClient again = new RawClient(broker.port())) {
                assertThat(again.connect(v5("device-2", "alice")).sessionPresent()).isTrue();
            }
        }
    }

    @Test
    void withoutBindingBobInheritsAlicesSessionAndQueue() throws Exception {
        start(false, b -> { });
        aliceLeavesASessionWithAMessage();

        resumesAlicesSessionAndQueue("bob");
    }

    @Test
    void theOwnerSurvivesARestartOnADurableStore() throws Exception {
        java.util.Properties store = new java.util.Properties();
        store.setProperty("volantmq.persistence.rocksdb.path", dir.resolve("rocksdb").toString());
        start(true, b -> b.persistence("rocksdb").persistenceProperties(store));
        aliceLeavesASessionWithAMessage();
        broker.close();

        start(true, b -> b.persistence("rocksdb").persistenceProperties(store));

        try (RawClient bob = new RawClient(broker.port())) {
            assertThat(bob.connect(v5("device-1", "bob")).reasonCode())
                    .isEqualTo(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        }
        resumesAlicesSessionAndQueue("alice");
    }
}
