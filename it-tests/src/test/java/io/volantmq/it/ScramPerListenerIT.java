package io.volantmq.it;

import io.volantmq.broker.auth.PasswordFile;
import io.volantmq.broker.auth.PasswordHash;
import io.volantmq.broker.auth.scram.ScramCredential;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MQTT 5 enhanced authentication follows each listener's auth chain: {@code file} brings SCRAM-SHA-256
 * over its password file; a listener whose chain does not name a method answers a CONNECT with it
 * 0x8C Bad authentication method, even though another listener of the same broker allows it.
 */
class ScramPerListenerIT {
    @TempDir
    Path dir;

    @Test
    void scramOnlyWhereTheListenersChainNamesIt() throws Exception {
        Path file = dir.resolve("passwd");
        PasswordFile.empty()
                .with("bob", PasswordHash.create("hunter2", 1000), ScramCredential.fromPassword("hunter2"))
                .write(file);
        try (BrokerFixture broker = BrokerFixture.start(b -> b
                .listener("tcp://127.0.0.1:0?auth=file")
                .listener("tcp://127.0.0.1:0?auth=certificate")
                .setting("auth.file.path", file.toString()))) {
            // the fixture's own listener comes first (anonymous: no SCRAM either)
            int passwords = broker.broker().boundAddresses().get(1).getPort();
            int certificates = broker.broker().boundAddresses().get(2).getPort();

            try (RawClient client = new RawClient(passwords)) {
                assertThat(Mqtt5EnhancedAuthIT.scramConnect(client, "bob", "hunter2").reasonCode()).isZero();
            }
            try (RawClient client = new RawClient(certificates)) {
                ConnAck refused = Mqtt5EnhancedAuthIT.scramConnect(client, "bob", "hunter2");
                assertThat(refused.reasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
                assertThat(client.closedWithin(5000)).isTrue();
            }
            try (RawClient client = new RawClient(broker.port())) {
                assertThat(Mqtt5EnhancedAuthIT.scramConnect(client, "bob", "hunter2").reasonCode())
                        .isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
            }
            // and a plain password CONNECT there is for the certificate provider alone: refused too
            try (RawClient client = new RawClient(certificates)) {
                ConnAck refused = client.connect(new Connect(ProtocolVersion.MQTT_5, "bob-plain", true, 60, "bob",
                        "hunter2".getBytes(StandardCharsets.UTF_8), null, null));
                assertThat(refused.reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
            }
        }
    }

    @Test
    void aMethodNamedWithoutAnythingToProvideItFailsAtStart() {
        assertThatThrownBy(() -> BrokerFixture.start(b -> b.listener("tcp://127.0.0.1:0?auth=certificate,SCRAM-SHA-256")))
                .hasMessageContaining("SCRAM-SHA-256").hasMessageContaining("file");
    }
}
