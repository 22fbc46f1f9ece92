package io.volantmq.it;

import io.volantmq.broker.transport.TestPki;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.ProtocolVersion;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ssl:// listeners with a CA, chain and key the test makes: Paho, the HiveMQ client and mosquitto_pub. */
class TlsIT {
    @TempDir
    static Path dir;
    private static TestPki.Issued ca;
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        ca = TestPki.ca("VolantMQ test CA");
        TestPki.brokerFiles(dir, ca);
        broker = BrokerFixture.start(b -> b.listener("ssl://127.0.0.1:0")
                .setting("volantmq.tls.certFile", dir.resolve("chain.pem").toString())
                .setting("volantmq.tls.keyFile", dir.resolve("key.pem").toString()));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static int tlsPort() {
        return broker.broker().boundAddresses().get(1).getPort();
    }

    private static MqttConnectOptions tlsOptions(String protocol) throws Exception {
        MqttConnectOptions options = PahoSupport.options(true);
        options.setSocketFactory(TestPki.clientContext(ca, null, protocol).getSocketFactory());
        options.setHttpsHostnameVerificationEnabled(true);
        return options;
    }

    @Test
    void pahoPublishesAndReceivesOverTls() throws Exception {
        String uri = "ssl://127.0.0.1:" + tlsPort();
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient sub = PahoSupport.client(uri, "tls-sub", received);
        sub.connect(tlsOptions("TLSv1.3"));
        sub.subscribe("tls/#", 1);
        org.eclipse.paho.client.mqttv3.MqttClient pub = PahoSupport.client(uri, "tls-pub", new PahoSupport.Recorder());
        pub.connect(tlsOptions("TLSv1.2"));
        pub.publish("tls/a", "over TLS".getBytes(StandardCharsets.UTF_8), 1, false);
        PahoSupport.Received r = received.next();
        assertThat(r.topic()).isEqualTo("tls/a");
        assertThat(r.payload()).isEqualTo("over TLS");
        // and across transports: a plain TCP subscriber gets what a TLS client sends
        PahoSupport.Recorder plain = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient tcp = PahoSupport.connect(broker.uri(), "tls-plain", true, plain);
        tcp.subscribe("tls/#", 1);
        pub.publish("tls/b", "to tcp".getBytes(StandardCharsets.UTF_8), 1, false);
        assertThat(plain.next().payload()).isEqualTo("to tcp");
        tcp.disconnect();
        pub.disconnect();
        sub.disconnect();
    }

    @Test
    void hiveMqClientWithTls12AndTls13() throws Exception {
        Mqtt3BlockingClient v12 = hive("hive-tls12", "TLSv1.2");
        Mqtt3BlockingClient v13 = hive("hive-tls13", "TLSv1.3");
        v12.connect();
        v13.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = v13.publishes(MqttGlobalPublishFilter.ALL)) {
            v13.subscribeWith().topicFilter("hive/tls").qos(MqttQos.EXACTLY_ONCE).send();
            v12.publishWith().topic("hive/tls").qos(MqttQos.EXACTLY_ONCE).payload("1.2 to 1.3".getBytes()).send();
            Optional<Mqtt3Publish> p = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(p).isPresent();
            assertThat(new String(p.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("1.2 to 1.3");
        }
        v12.disconnect();
        v13.disconnect();
    }

    private static Mqtt3BlockingClient hive(String id, String protocol) throws Exception {
        return MqttClient.builder().useMqttVersion3().identifier(id).serverHost("127.0.0.1").serverPort(tlsPort())
                .sslConfig().trustManagerFactory(TestPki.trustManagers(ca)).protocols(List.of(protocol))
                .applySslConfig().buildBlocking();
    }

    @Test
    void plainMqttOnTheTlsPortIsClosedQuickly() throws Exception {
        try (RawClient raw = new RawClient(tlsPort())) {
            raw.send(new Connect(ProtocolVersion.MQTT_3_1_1, "plain-on-tls", true, 60, null, null, null, null));
            assertThat(raw.closedWithin(3000)).isTrue();
        }
    }

    @Test
    void tlsOnThePlainPortFailsQuickly() throws Exception {
        long start = System.nanoTime();
        try (SSLSocket socket = (SSLSocket) TestPki.clientContext(ca, null, "TLS").getSocketFactory()
                .createSocket("127.0.0.1", broker.port())) {
            socket.setSoTimeout(5000);
            assertThatThrownBy(socket::startHandshake).isInstanceOf(IOException.class);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        // the broker goes on serving
        PahoSupport.connect(broker.uri(), "after-bad-tls", true, new PahoSupport.Recorder()).disconnect();
    }

    @Test
    void aClientTrustingAnotherCaRefusesTheBroker() throws Exception {
        MqttConnectOptions options = PahoSupport.options(true);
        options.setSocketFactory(TestPki.clientContext(TestPki.ca("someone else"), null, "TLS").getSocketFactory());
        org.eclipse.paho.client.mqttv3.MqttClient client = PahoSupport.client("ssl://127.0.0.1:" + tlsPort(),
                "distrustful", new PahoSupport.Recorder());
        assertThatThrownBy(() -> client.connect(options)).isInstanceOf(org.eclipse.paho.client.mqttv3.MqttException.class);
    }

    @Test
    void mosquittoPubWithCafile() throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient sub = PahoSupport.connect(broker.uri(), "mosq-tls-sub", true, received);
        sub.subscribe("mosq/tls", 1);
        Process p = new ProcessBuilder("mosquitto_pub", "-V", "mqttv311", "-h", "localhost", "-p",
                String.valueOf(tlsPort()), "--cafile", dir.resolve("ca.pem").toString(), "-t", "mosq/tls",
                "-m", "from mosquitto", "-q", "1").redirectErrorStream(true).start();
        assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
        String output = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .lines().reduce("", (a, b) -> a + b + "\n");
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(received.next().payload()).isEqualTo("from mosquitto");
        sub.disconnect();
    }
}
