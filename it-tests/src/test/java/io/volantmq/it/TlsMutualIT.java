package io.volantmq.it;

import io.volantmq.broker.transport.TestPki;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Mutual TLS: the certificate provider makes the client certificate's CN the user name, and the ACL
 * pattern {@code devices/%u/#} then confines each device to its own topics.
 */
class TlsMutualIT {
    @TempDir
    static Path dir;
    private static TestPki.Issued ca;
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        ca = TestPki.ca("VolantMQ device CA");
        TestPki.brokerFiles(dir, ca);
        Files.writeString(dir.resolve("acl"), "pattern readwrite devices/%u/#\n");
        String ca = dir.resolve("ca.pem").toString();
        broker = BrokerFixture.start(b -> b
                .listener("ssl://127.0.0.1:0?tls.clientAuth=required&tls.caFile=" + ca + "&auth=certificate")
                .listener("ssl://127.0.0.1:0?tls.clientAuth=optional&tls.caFile=" + ca + "&auth=certificate")
                .setting("tls.certFile", dir.resolve("chain.pem").toString())
                .setting("tls.keyFile", dir.resolve("key.pem").toString())
                .setting("acl.file", dir.resolve("acl").toString()));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static String uri(int listener) {
        return "ssl://127.0.0.1:" + broker.broker().boundAddresses().get(listener).getPort();
    }

    private static MqttConnectOptions options(TestPki.Issued trust, TestPki.Issued identity) throws Exception {
        MqttConnectOptions options = PahoSupport.options(true);
        options.setSocketFactory(TestPki.clientContext(trust, identity, "TLS").getSocketFactory());
        return options;
    }

    @Test
    void theCertificatesCommonNameIsTheUserTheAclSees() throws Exception {
        TestPki.Issued device = TestPki.client(ca, "CN=device-1,O=Test");
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient client = PahoSupport.client(uri(1), "d1", received);
        client.connect(options(ca, device));
        client.subscribe("devices/device-1/#", 1);
        client.publish("devices/device-1/temp", "21".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(received.next().payload()).isEqualTo("21");
        MqttException refused = org.junit.jupiter.api.Assertions.assertThrows(MqttException.class,
                () -> client.subscribe("devices/device-2/#", 1));
        assertThat(refused.getReasonCode()).as("SUBACK 0x80").isEqualTo(128);
        assertThat(client.isConnected()).isTrue();
        client.disconnect();
    }

    @Test
    void withoutACertificateTheRequiredListenerRefusesTheHandshake() throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient client = PahoSupport.client(uri(1), "no-cert",
                new PahoSupport.Recorder());
        assertThatThrownBy(() -> client.connect(options(ca, null))).isInstanceOf(MqttException.class);
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    void aCertificateFromAnotherCaIsRefused() throws Exception {
        TestPki.Issued rogueCa = TestPki.ca("rogue CA");
        TestPki.Issued rogue = TestPki.client(rogueCa, "CN=device-1");
        org.eclipse.paho.client.mqttv3.MqttClient client = PahoSupport.client(uri(1), "rogue",
                new PahoSupport.Recorder());
        MqttConnectOptions options = PahoSupport.options(true);
        options.setSocketFactory(TestPki.clientContext(ca, rogueCa, rogue, "TLS").getSocketFactory());
        assertThatThrownBy(() -> client.connect(options)).isInstanceOf(MqttException.class);
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    void optionalClientAuthLetsTheHandshakeThroughAndLeavesTheVerdictToTheProviders() throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient client = PahoSupport.client(uri(2), "no-cert-optional",
                new PahoSupport.Recorder());
        MqttException refused = org.junit.jupiter.api.Assertions.assertThrows(MqttException.class,
                () -> client.connect(options(ca, null)));
        assertThat(refused.getReasonCode()).as("CONNACK 0x05 not authorized").isEqualTo(5);
    }

    @Test
    void mqtt5DeviceIsRefusedAnotherDevicesTopicWith0x87() throws Exception {
        TestPki.Issued device = TestPki.client(ca, "CN=device-7");
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("d7")
                .serverHost("127.0.0.1").serverPort(broker.broker().boundAddresses().get(2).getPort())
                .sslConfig().trustManagerFactory(TestPki.trustManagers(ca))
                .keyManagerFactory(TestPki.keyManagers(ca, device)).protocols(List.of("TLSv1.3")).applySslConfig()
                .buildBlocking();
        client.connect();
        Mqtt5PublishResult own = client.publishWith().topic("devices/device-7/x").qos(MqttQos.AT_LEAST_ONCE)
                .payload(new byte[] {1}).send();
        assertThat(((Mqtt5PublishResult.Mqtt5Qos1Result) own).getPubAck().getReasonCode())
                .isIn(Mqtt5PubAckReasonCode.SUCCESS, Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        Mqtt5PubAckException refused = assertThrows(Mqtt5PubAckException.class, () -> client.publishWith()
                .topic("devices/device-8/x").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send());
        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(client.getState().isConnected()).isTrue();
        client.disconnect();
    }
}
