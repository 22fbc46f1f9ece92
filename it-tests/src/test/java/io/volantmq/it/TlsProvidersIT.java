package io.volantmq.it;

import io.volantmq.broker.transport.TestPki;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The key TLS cases under both {@code tls.provider} values, through real sockets, Paho and the HiveMQ
 * client: an encrypted key, mutual TLS whose certificate names the user, pinned protocol and cipher, a
 * certificate reloaded from disk and the handshake timeout. The admin API names the engine that served
 * each connection, so a listener that quietly fell back to the JDK fails here.
 */
class TlsProvidersIT {
    private static final String PASSWORD = "key-secret";
    private static final String TLS12_CIPHER = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void keyTlsCases(String provider) throws Exception {
        TestPki.Issued ca = TestPki.ca("provider test CA");
        writeServerFiles(ca, "first");
        TestPki.writeCertificates(dir.resolve("ca.pem"), ca.certificate());
        String caFile = dir.resolve("ca.pem").toString();
        try (BrokerFixture broker = BrokerFixture.start(b -> b
                .listener("ssl://127.0.0.1:0?tls.clientAuth=required&tls.caFile=" + caFile + "&auth=certificate")
                .listener("ssl://127.0.0.1:0?tls.protocols=TLSv1.2&tls.ciphers=" + TLS12_CIPHER
                        + "&tls.handshakeTimeout=1")
                .setting("tls.provider", provider)
                .setting("tls.certFile", dir.resolve("chain.pem").toString())
                .setting("tls.keyFile", dir.resolve("key.pem").toString())
                .setting("tls.keyPassword", PASSWORD)
                .setting("reloadIntervalMillis", "200")
                .setting("adminAddr", "127.0.0.1:0").setting("adminToken", AdminApiIT.TOKEN))) {
            AdminApiIT.Http http = new AdminApiIT.Http(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build(),
                    "http://127.0.0.1:" + broker.broker().adminAddress().getPort());
            int mutualPort = broker.broker().boundAddresses().get(1).getPort();
            int tls12Port = broker.broker().boundAddresses().get(2).getPort();

            // mutual TLS: the certificate's CN is the user, whichever engine verified it
            TestPki.Issued device = TestPki.client(ca, "CN=device-1,O=Test");
            org.eclipse.paho.client.mqttv3.MqttClient paho = PahoSupport.client("ssl://127.0.0.1:" + mutualPort,
                    "dev-" + provider, new PahoSupport.Recorder());
            paho.connect(options(ca, device));
            Map<String, Object> client = get(http, "/api/clients/dev-" + provider);
            assertThat(client).containsEntry("username", "device-1");
            assertThat(AdminApiIT.map(client.get("tls"))).containsEntry("provider", provider)
                    .containsEntry("protocol", "TLSv1.3");
            paho.disconnect();
            paho.close();

            // no certificate on the required listener: the handshake fails
            org.eclipse.paho.client.mqttv3.MqttClient anonymous = PahoSupport.client(
                    "ssl://127.0.0.1:" + mutualPort, "anon-" + provider, new PahoSupport.Recorder());
            assertThatThrownBy(() -> anonymous.connect(options(ca, null))).isInstanceOf(MqttException.class);
            anonymous.close();

            // protocols and ciphers as configured
            Mqtt3BlockingClient hive = MqttClient.builder().useMqttVersion3().identifier("hive-" + provider)
                    .serverHost("127.0.0.1").serverPort(tls12Port).sslConfig()
                    .trustManagerFactory(TestPki.trustManagers(ca)).protocols(List.of("TLSv1.2", "TLSv1.3"))
                    .applySslConfig().buildBlocking();
            hive.connect();
            assertThat(AdminApiIT.map(get(http, "/api/clients/hive-" + provider).get("tls")))
                    .containsEntry("provider", provider).containsEntry("protocol", "TLSv1.2")
                    .containsEntry("cipher", TLS12_CIPHER);
            hive.disconnect();

            // a renewed certificate (encrypted key again) serves new connections without a restart
            assertThat(serverCommonName(ca, tls12Port)).isEqualTo("CN=first");
            writeServerFiles(ca, "second");
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> assertThat(serverCommonName(ca, tls12Port)).isEqualTo("CN=second"));

            // a client that never starts its handshake is dropped after tls.handshakeTimeout
            try (Socket silent = new Socket("127.0.0.1", tls12Port)) {
                silent.setSoTimeout(10_000);
                try {
                    assertThat(silent.getInputStream().read()).as("closed by the broker").isEqualTo(-1);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the broker kept a silent TLS connection open for 10 s", e);
                } catch (java.net.SocketException reset) {
                    // closed with a reset: dropped as well
                }
            }
        }
    }

    private void writeServerFiles(TestPki.Issued ca, String cn) throws Exception {
        TestPki.Issued server = TestPki.server(ca, cn);
        // written aside and moved in, as a renewal tool would
        Path chain = TestPki.writeCertificates(dir.resolve("chain.new"), server.certificate(), ca.certificate());
        Path key = TestPki.writeEncryptedKey(dir.resolve("key.new"), server.key(), PASSWORD);
        Files.move(key, dir.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(chain, dir.resolve("chain.pem"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static MqttConnectOptions options(TestPki.Issued ca, TestPki.Issued identity) throws Exception {
        MqttConnectOptions options = PahoSupport.options(true);
        options.setSocketFactory(TestPki.clientContext(ca, identity, "TLS").getSocketFactory());
        return options;
    }

    private static Map<String, Object> get(AdminApiIT.Http http, String path) throws Exception {
        AdminApiIT.Response r = http.get(path);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static String serverCommonName(TestPki.Issued ca, int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) TestPki.clientContext(ca, null, "TLSv1.2").getSocketFactory()
                .createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                    .getName();
        }
    }
}
