package io.volantmq.it;

import io.volantmq.broker.transport.TestPki;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** ws:// and wss:// listeners (RFC 6455, subprotocol mqtt) with the HiveMQ client, Paho and raw frames. */
class WebSocketIT {
    @TempDir
    static Path dir;
    private static TestPki.Issued ca;
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        ca = TestPki.ca("VolantMQ test CA");
        TestPki.brokerFiles(dir, ca);
        broker = BrokerFixture.start(b -> b.listener("ws://127.0.0.1:0/mqtt").listener("wss://127.0.0.1:0/secure")
                .maxPacketSize(4096)
                .setting("tls.certFile", dir.resolve("chain.pem").toString())
                .setting("tls.keyFile", dir.resolve("key.pem").toString()));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static int port(int listener) {
        return broker.broker().boundAddresses().get(listener).getPort();
    }

    @Test
    void hiveMqOverWebSocketTalksToHiveMqOverSecureWebSocket() throws Exception {
        Mqtt5BlockingClient ws = MqttClient.builder().useMqttVersion5().identifier("hive-ws")
                .serverHost("127.0.0.1").serverPort(port(1))
                .webSocketConfig().serverPath("mqtt").applyWebSocketConfig().buildBlocking();
        Mqtt5BlockingClient wss = MqttClient.builder().useMqttVersion5().identifier("hive-wss")
                .serverHost("127.0.0.1").serverPort(port(2))
                .sslConfig().trustManagerFactory(TestPki.trustManagers(ca)).applySslConfig()
                .webSocketConfig().serverPath("secure").applyWebSocketConfig().buildBlocking();
        ws.connect();
        wss.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = wss.publishes(MqttGlobalPublishFilter.ALL)) {
            wss.subscribeWith().topicFilter("ws/#").qos(MqttQos.EXACTLY_ONCE).send();
            byte[] big = new byte[3000]; // several TCP segments, one WebSocket frame
            Arrays.fill(big, (byte) 'x');
            ws.publishWith().topic("ws/small").qos(MqttQos.AT_LEAST_ONCE).payload("hi".getBytes()).send();
            ws.publishWith().topic("ws/big").qos(MqttQos.EXACTLY_ONCE).payload(big).send();
            Optional<Mqtt5Publish> first = publishes.receive(10, TimeUnit.SECONDS);
            Optional<Mqtt5Publish> second = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(first).isPresent();
            assertThat(new String(first.get().getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("hi");
            assertThat(second).isPresent();
            assertThat(second.get().getPayloadAsBytes()).isEqualTo(big);
        }
        ws.disconnect();
        wss.disconnect();
    }

    @Test
    void hiveMq3AndPahoOverWebSocket() throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient paho = PahoSupport.client("ws://127.0.0.1:" + port(1) + "/mqtt",
                "paho-ws", received);
        MqttConnectOptions options = PahoSupport.options(true);
        paho.connect(options);
        paho.subscribe("paho/ws", 2);
        Mqtt3BlockingClient hive = MqttClient.builder().useMqttVersion3().identifier("hive3-ws")
                .serverHost("127.0.0.1").serverPort(port(1))
                .webSocketConfig().serverPath("mqtt").applyWebSocketConfig().buildBlocking();
        hive.connect();
        hive.publishWith().topic("paho/ws").qos(MqttQos.EXACTLY_ONCE).payload("3.1.1 over ws".getBytes()).send();
        assertThat(received.next().payload()).isEqualTo("3.1.1 over ws");
        hive.disconnect();
        paho.disconnect();
    }

    private static byte[] encode(MqttMessage message) {
        ByteBuf buf = MqttCodec.encode(message, ProtocolVersion.MQTT_3_1_1, ByteBufAllocator.DEFAULT);
        try {
            byte[] b = new byte[buf.readableBytes()];
            buf.readBytes(b);
            return b;
        } finally {
            buf.release();
        }
    }

    private static byte[] range(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }

    @Test
    void packetsCutAcrossFramesAndSeveralInOneFrame() throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient sub = PahoSupport.connect(broker.uri(), "raw-ws-sub", true, received);
        sub.subscribe("raw/ws", 0);
        try (WebSocketRawClient raw = new WebSocketRawClient(port(1))) {
            assertThat(raw.handshake("/mqtt", "mqtt")).isEqualTo(101);
            byte[] connect = encode(new Connect(ProtocolVersion.MQTT_3_1_1, "raw-ws", true, 60, null, null, null, null));
            byte[] one = encode(new Publish("raw/ws", 0, false, false, 0, "one".getBytes(), Properties.EMPTY));
            byte[] two = encode(new Publish("raw/ws", 0, false, false, 0, "two".getBytes(), Properties.EMPTY));
            byte[] ping = encode(PingReq.INSTANCE);
            // CONNECT cut in three: a first frame, then a fragmented message of two fragments
            raw.frame(WebSocketRawClient.BINARY, true, range(connect, 0, 3));
            raw.frame(WebSocketRawClient.BINARY, false, range(connect, 3, 7));
            raw.frame(WebSocketRawClient.CONTINUATION, true, range(connect, 7, connect.length));
            byte[] connack = raw.readMqtt(4);
            assertThat(connack).containsExactly(0x20, 0x02, 0x00, 0x00);
            // two PUBLISHes and the start of a PINGREQ in one frame, the rest of the PINGREQ in the next
            byte[] batch = new byte[one.length + two.length + 1];
            System.arraycopy(one, 0, batch, 0, one.length);
            System.arraycopy(two, 0, batch, one.length, two.length);
            batch[batch.length - 1] = ping[0];
            raw.frame(WebSocketRawClient.BINARY, true, batch);
            raw.frame(WebSocketRawClient.BINARY, true, range(ping, 1, 2));
            assertThat(raw.readMqtt(2)).as("PINGRESP").containsExactly(0xD0, 0x00);
            assertThat(received.next().payload()).isEqualTo("one");
            assertThat(received.next().payload()).isEqualTo("two");
        }
        sub.disconnect();
    }

    @Test
    void aPacketInOneByteFramesArrivesWhole() throws Exception {
        PahoSupport.Recorder received = new PahoSupport.Recorder();
        org.eclipse.paho.client.mqttv3.MqttClient sub = PahoSupport.connect(broker.uri(), "tiny-sub", true, received);
        sub.subscribe("raw/tiny", 0);
        byte[] payload = new byte[2000];
        Arrays.fill(payload, (byte) 't');
        try (WebSocketRawClient raw = new WebSocketRawClient(port(1))) {
            assertThat(raw.handshake("/mqtt", "mqtt")).isEqualTo(101);
            raw.frame(WebSocketRawClient.BINARY, true,
                    encode(new Connect(ProtocolVersion.MQTT_3_1_1, "tiny", true, 60, null, null, null, null)));
            assertThat(raw.readMqtt(4)).containsExactly(0x20, 0x02, 0x00, 0x00);
            byte[] publish = encode(new Publish("raw/tiny", 0, false, false, 0, payload, Properties.EMPTY));
            for (byte b : publish) {
                raw.frame(WebSocketRawClient.BINARY, true, new byte[] {b});
            }
            assertThat(received.next().message().getPayload()).isEqualTo(payload);
        }
        sub.disconnect();
    }

    @Test
    void aHandshakeWithoutTheMqttSubprotocolIsRefused() throws Exception {
        try (WebSocketRawClient raw = new WebSocketRawClient(port(1))) {
            assertThat(raw.handshake("/mqtt", null)).isEqualTo(400);
            assertThat(raw.closedWithin(3000)).isTrue();
        }
        try (WebSocketRawClient raw = new WebSocketRawClient(port(1))) {
            assertThat(raw.handshake("/mqtt", "chat")).isEqualTo(400);
            assertThat(raw.closedWithin(3000)).isTrue();
        }
    }

    @Test
    void aHandshakeForAnotherPathIsRefused() throws Exception {
        try (WebSocketRawClient raw = new WebSocketRawClient(port(1))) {
            assertThat(raw.handshake("/other", "mqtt")).isEqualTo(404);
            assertThat(raw.closedWithin(3000)).isTrue();
        }
    }

    @Test
    void textFramesAndOversizedFramesEndTheConnection() throws Exception {
        try (WebSocketRawClient raw = new WebSocketRawClient(port(1))) {
            assertThat(raw.handshake("/mqtt", "mqtt")).isEqualTo(101);
            raw.frame(WebSocketRawClient.TEXT, true, "{\"connect\":true}".getBytes(StandardCharsets.UTF_8));
            assertThat(raw.closedWithin(3000)).as("[MQTT-6.0.0-1] binary frames only").isTrue();
        }
        try (WebSocketRawClient raw = new WebSocketRawClient(port(1))) {
            assertThat(raw.handshake("/mqtt", "mqtt")).isEqualTo(101);
            raw.frame(WebSocketRawClient.BINARY, true, new byte[5000]); // over the 4096-byte packet limit
            assertThat(raw.closedWithin(3000)).as("frames are bounded by maxPacketSize").isTrue();
        }
    }

    @Test
    void plainMqttOnTheWebSocketPortIsClosed() throws Exception {
        try (RawClient raw = new RawClient(port(1))) {
            raw.send(new Connect(ProtocolVersion.MQTT_3_1_1, "not-ws", true, 60, null, null, null, null));
            assertThat(raw.closedWithin(3000)).isTrue();
        }
    }
}
