package io.volantmq.plugins.httpauth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.volantmq.broker.Broker;
import io.volantmq.broker.BrokerConfig;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plugin in a real broker, asking a real HTTP server (the JDK's), with a real MQTT 5 client. */
class HttpAuthPluginTest {
    private HttpServer server;
    private final List<String> authRequests = new CopyOnWriteArrayList<>();
    private final List<String> aclRequests = new CopyOnWriteArrayList<>();
    private Broker broker;
    private String mqtt;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/auth", ex -> {
            String body = read(ex);
            authRequests.add(body);
            if (body.contains("\"username\":\"broken\"")) {
                answer(ex, 500, "oops");
            } else if (body.contains("\"username\":\"alice\"") && body.contains("\"password\":\"secret\"")) {
                answer(ex, 200, "{\"result\":\"allow\"}");
            } else if (body.contains("\"username\":null")) {
                answer(ex, 200, "{\"result\":\"ignore\"}");
            } else {
                answer(ex, 200, "{\"result\":\"deny\"}");
            }
        });
        server.createContext("/acl", ex -> {
            String body = read(ex);
            aclRequests.add(body);
            answer(ex, 200, body.contains("\"topic\":\"forbidden/") ? "{\"result\":\"deny\"}" : "{\"result\":\"allow\"}");
        });
        server.start();
        String http = "http://127.0.0.1:" + server.getAddress().getPort();
        BrokerConfig config = BrokerConfig.builder().listener("tcp://127.0.0.1:0").persistence("memory")
                .setting("auth", "http,anonymous")
                .setting("plugin.http-auth.url", http + "/auth")
                .setting("plugin.http-auth.aclUrl", http + "/acl").build();
        broker = Broker.builder().config(config).plugin(new HttpAuthPlugin()).build().start();
        mqtt = "tcp://127.0.0.1:" + broker.boundAddresses().get(0).getPort();
    }

    @AfterEach
    void stop() {
        broker.close();
        server.stop(0);
    }

    private static String read(HttpExchange ex) throws IOException {
        return new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private MqttAsyncClient connect(String clientId, String user, String password) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(mqtt, clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        try {
            c.connect(o).waitForCompletion(10_000);
        } catch (MqttException e) {
            c.close(true);
            throw e;
        }
        return c;
    }

    private static void close(MqttAsyncClient c) throws MqttException {
        c.disconnect().waitForCompletion(5000);
        c.close(true);
    }

    @Test
    void theEndpointDecidesAndItsAnswersAreCached() throws Exception {
        close(connect("a1", "alice", "secret"));
        close(connect("a1", "alice", "secret"));
        assertThat(authRequests).hasSize(1); // the second CONNECT was answered from the cache
        assertThat(authRequests.get(0)).contains("\"clientid\":\"a1\"");
        assertThatThrownBy(() -> connect("m1", "mallory", "guess"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        // no credentials: the endpoint says ignore, the next provider (anonymous) admits
        close(connect("anon", null, null));
    }

    @Test
    void anEndpointThatFailsRefusesWithServerUnavailable() {
        assertThatThrownBy(() -> connect("b1", "broken", "x"))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x88));
        assertThat(broker.metrics().registry().find("volantmq.plugin.failures").tag("plugin", "http-auth").counter())
                .isNotNull();
    }

    @Test
    void publishAndSubscribeAreAuthorizedByTheAclEndpoint() throws Exception {
        MqttAsyncClient c = connect("a2", "alice", "secret");
        try {
            IMqttToken denied = c.subscribe("forbidden/#", 1);
            denied.waitForCompletion(10_000);
            assertThat(denied.getReasonCodes()[0]).isEqualTo(0x87);
            IMqttToken ok = c.subscribe("open/#", 1);
            ok.waitForCompletion(10_000);
            assertThat(ok.getReasonCodes()[0]).isEqualTo(1);
            IMqttToken pub = c.publish("forbidden/x", new MqttMessage("no".getBytes(StandardCharsets.UTF_8), 1, false, null));
            pub.waitForCompletion(10_000);
            assertThat(pub.getReasonCodes()[0]).isEqualTo(0x87);
            for (int i = 0; i < 3; i++) {
                IMqttToken p = c.publish("open/x", new MqttMessage("yes".getBytes(StandardCharsets.UTF_8), 1, false, null));
                p.waitForCompletion(10_000);
            }
            assertThat(aclRequests.stream().filter(r -> r.contains("\"action\":\"publish\"") && r.contains("open/x")))
                    .hasSize(1); // cached after the first
        } finally {
            close(c);
        }
    }
}
