package io.volantmq.it;

import io.volantmq.broker.Broker;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.scram.InMemoryScramCredentialStore;
import io.volantmq.broker.auth.scram.ScramClient;
import io.volantmq.broker.auth.scram.ScramSha256Mechanism;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.props;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5 chapter 4.12: enhanced authentication with SCRAM-SHA-256 over CONNECT / AUTH / CONNACK. */
class Mqtt5EnhancedAuthIT {
    private static final String METHOD = "SCRAM-SHA-256";
    private static Broker broker;
    private static int port;

    @BeforeAll
    static void start() {
        broker = Broker.builder()
                // a mechanism given to the builder is allowed where a listener's auth names its method
                .config(BrokerConfig.builder().listener("tcp://127.0.0.1:0?auth=anonymous," + METHOD)
                        .persistence("memory").build())
                .authMechanism(new ScramSha256Mechanism(new InMemoryScramCredentialStore(Map.of("alice", "s3cret"))))
                .build().start();
        port = broker.boundAddresses().get(0).getPort();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** Runs the exchange; returns the CONNACK. */
    static ConnAck scramConnect(RawClient client, String user, String password) throws Exception {
        ScramClient scram = new ScramClient(user, password);
        client.send(connect("scram-" + user, true, 60, props(PropertyId.AUTHENTICATION_METHOD, METHOD,
                PropertyId.AUTHENTICATION_DATA, scram.clientFirstMessage())));
        MqttMessage challenge = client.receive();
        if (challenge instanceof ConnAck refused) {
            return refused;
        }
        Auth serverFirst = (Auth) challenge;
        assertThat(serverFirst.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
        assertThat(serverFirst.properties().getString(PropertyId.AUTHENTICATION_METHOD)).isEqualTo(METHOD);
        client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, props(PropertyId.AUTHENTICATION_METHOD, METHOD,
                PropertyId.AUTHENTICATION_DATA,
                scram.clientFinalMessage(serverFirst.properties().getBinary(PropertyId.AUTHENTICATION_DATA)))));
        ConnAck connAck = (ConnAck) client.receive();
        if (connAck.reasonCode() == 0) {
            // the server proves it knows the credential too
            scram.verifyServerFinal(connAck.properties().getBinary(PropertyId.AUTHENTICATION_DATA));
            assertThat(scram.isServerVerified()).isTrue();
        }
        return connAck;
    }

    @Test
    void rightPasswordConnectsAndTheServerIsVerified() throws Exception {
        try (RawClient client = new RawClient(port)) {
            ConnAck connAck = scramConnect(client, "alice", "s3cret");
            assertThat(connAck.reasonCode()).isZero();
            assertThat(connAck.properties().getString(PropertyId.AUTHENTICATION_METHOD)).isEqualTo(METHOD);
        }
    }

    @Test
    void wrongPasswordIsRefusedWith0x86() throws Exception {
        try (RawClient client = new RawClient(port)) {
            ConnAck connAck = scramConnect(client, "alice", "guess");
            assertThat(connAck.reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
            assertThat(client.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void reauthenticationRunsAnotherExchange() throws Exception {
        try (RawClient client = new RawClient(port)) {
            assertThat(scramConnect(client, "alice", "s3cret").reasonCode()).isZero();
            ScramClient again = new ScramClient("alice", "s3cret");
            client.send(new Auth(ReasonCode.REAUTHENTICATE, props(PropertyId.AUTHENTICATION_METHOD, METHOD,
                    PropertyId.AUTHENTICATION_DATA, again.clientFirstMessage())));
            Auth serverFirst = (Auth) client.receive();
            client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, props(PropertyId.AUTHENTICATION_METHOD, METHOD,
                    PropertyId.AUTHENTICATION_DATA,
                    again.clientFinalMessage(serverFirst.properties().getBinary(PropertyId.AUTHENTICATION_DATA)))));
            Auth done = (Auth) client.receive();
            assertThat(done.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            again.verifyServerFinal(done.properties().getBinary(PropertyId.AUTHENTICATION_DATA));
        }
    }

    @Test
    void authWithAnotherMethodIsAProtocolError() throws Exception {
        try (RawClient client = new RawClient(port)) {
            assertThat(scramConnect(client, "alice", "s3cret").reasonCode()).isZero();
            client.send(new Auth(ReasonCode.REAUTHENTICATE, props(PropertyId.AUTHENTICATION_METHOD, "OTHER")));
            Disconnect d = (Disconnect) client.receive();
            assertThat(d.reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR); // [MQTT-4.12.0-5]
        }
    }

    @Test
    void usersOfThePasswordFileLogInWithScram(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = dir.resolve("passwd");
        io.volantmq.broker.auth.PasswordFile.empty()
                .with("bob", io.volantmq.broker.auth.PasswordHash.create("hunter2", 1000),
                        io.volantmq.broker.auth.scram.ScramCredential.fromPassword("hunter2"))
                .write(file);
        try (BrokerFixture fileBroker = BrokerFixture.start(b -> b.setting("auth", "file")
                .setting("auth.file.path", file.toString()));
             RawClient client = new RawClient(fileBroker.port()); RawClient wrong = new RawClient(fileBroker.port())) {
            assertThat(scramConnect(client, "bob", "hunter2").reasonCode()).isZero();
            assertThat(scramConnect(wrong, "bob", "hunter3").reasonCode())
                    .isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        }
    }
}
