package io.volantmq.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.volantmq.broker.auth.PasswordFile;
import io.volantmq.broker.auth.PasswordHash;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Packets a client writes right behind its CONNECT, in the same TCP segment, without waiting for the
 * CONNACK [MQTT 3.1.4]: answered in order after a successful CONNACK, never processed after a refused
 * one [MQTT-3.1.4-5]. With anonymous access and with the password file (whose hashing runs off the
 * event loop, so the packets really wait).
 */
class EarlyPacketsIT {
    private static final byte[] PASSWORD = "wonderland".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    private static BrokerFixture anonymous;
    private static BrokerFixture passwordFile;

    @BeforeAll
    static void start() throws Exception {
        Path passwords = dir.resolve("passwd");
        PasswordFile.empty().with("alice", PasswordHash.create("wonderland", PasswordHash.MIN_ITERATIONS))
                .write(passwords);
        anonymous = BrokerFixture.start();
        passwordFile = BrokerFixture.start(b -> b.setting("auth", "file")
                .setting("auth.file.path", passwords.toString()));
    }

    @AfterAll
    static void stop() {
        anonymous.close();
        passwordFile.close();
    }

    private static BrokerFixture broker(String auth) {
        return auth.equals("file") ? passwordFile : anonymous;
    }

    private static Connect connect(ProtocolVersion version, String clientId, String auth, byte[] password) {
        boolean file = auth.equals("file");
        return new Connect(version, clientId, true, 60, file ? "alice" : null, file ? password : null, null, null);
    }

    /** The packets encoded back to back, to go out in one write (one TCP segment on loopback). */
    static byte[] oneWrite(ProtocolVersion version, MqttMessage... messages) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (MqttMessage m : messages) {
            ByteBuf buf = MqttCodec.encode(m, version, ByteBufAllocator.DEFAULT);
            try {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                all.writeBytes(bytes);
            } finally {
                buf.release();
            }
        }
        return all.toByteArray();
    }

    /** A normally connected subscriber of {@code filter} (QoS 1). */
    private static RawClient subscriber(BrokerFixture broker, ProtocolVersion version, String clientId,
                                        String auth, String filter) throws Exception {
        RawClient sub = new RawClient(broker.port());
        assertThat(sub.connect(connect(version, clientId, auth, PASSWORD)).reasonCode()).isZero();
        sub.send(new Subscribe(1, List.of(Subscription.of(filter, 1)), null));
        assertThat(sub.receive()).isInstanceOf(SubAck.class);
        return sub;
    }

    @ParameterizedTest(name = "{0}, auth {1}")
    @CsvSource({"MQTT_3_1_1, anonymous", "MQTT_5, anonymous", "MQTT_3_1_1, file", "MQTT_5, file"})
    void aSubscribeInTheConnectsSegmentIsAnswered(ProtocolVersion version, String auth) throws Exception {
        try (RawClient raw = new RawClient(broker(auth).port())) {
            raw.setVersion(version);
            raw.sendRaw(oneWrite(version, connect(version, "early-sub-" + version + auth, auth, PASSWORD),
                    new Subscribe(7, List.of(Subscription.of("early/sub", 1)), null)));
            assertThat(((ConnAck) raw.receive()).reasonCode()).isZero();
            SubAck subAck = (SubAck) raw.receive();
            assertThat(subAck.packetId()).isEqualTo(7);
            assertThat(subAck.reasonCodes()).containsExactly(1);
        }
    }

    @ParameterizedTest(name = "{0}, auth {1}")
    @CsvSource({"MQTT_3_1_1, anonymous", "MQTT_5, anonymous", "MQTT_3_1_1, file", "MQTT_5, file"})
    void aQos1PublishInTheConnectsSegmentIsAcknowledgedAndDelivered(ProtocolVersion version, String auth)
            throws Exception {
        String topic = "early/pub/" + version + "/" + auth;
        BrokerFixture broker = broker(auth);
        try (RawClient sub = subscriber(broker, version, "early-pub-sub-" + version + auth, auth, topic);
             RawClient raw = new RawClient(broker.port())) {
            raw.setVersion(version);
            raw.sendRaw(oneWrite(version, connect(version, "early-pub-" + version + auth, auth, PASSWORD),
                    new Publish(topic, 1, false, false, 8, "early".getBytes(), null)));
            assertThat(((ConnAck) raw.receive()).reasonCode()).isZero();
            PubReply ack = (PubReply) raw.receive();
            assertThat(ack.type()).isEqualTo(PacketType.PUBACK);
            assertThat(ack.packetId()).isEqualTo(8);
            assertThat(ack.reasonCode()).isZero();
            Publish delivered = (Publish) sub.receive();
            assertThat(delivered.topic()).isEqualTo(topic);
            assertThat(new String(delivered.payload())).isEqualTo("early");
        }
    }

    @ParameterizedTest(name = "{0}, auth {1}")
    @CsvSource({"MQTT_3_1_1, anonymous", "MQTT_5, file"})
    void packetsBehindTheConnectAreHandledInTheOrderSent(ProtocolVersion version, String auth) throws Exception {
        String topic = "early/order/" + version;
        try (RawClient raw = new RawClient(broker(auth).port())) {
            raw.setVersion(version);
            List<MqttMessage> packets = new ArrayList<>();
            packets.add(connect(version, "early-order-" + version, auth, PASSWORD));
            packets.add(new Subscribe(1, List.of(Subscription.of(topic, 1)), null));
            for (int i = 1; i <= 20; i++) {
                packets.add(new Publish(topic, 1, false, false, 100 + i, ("m" + i).getBytes(), null));
            }
            raw.sendRaw(oneWrite(version, packets.toArray(MqttMessage[]::new)));
            assertThat(((ConnAck) raw.receive()).reasonCode()).isZero();
            assertThat(raw.receive()).as("the SUBSCRIBE first: it was sent first").isInstanceOf(SubAck.class);
            List<Integer> acked = new ArrayList<>();
            List<String> delivered = new ArrayList<>();
            while (acked.size() < 20 || delivered.size() < 20) {
                MqttMessage m = raw.receive();
                if (m instanceof PubReply ack && ack.type() == PacketType.PUBACK) {
                    acked.add(ack.packetId());
                } else if (m instanceof Publish p) {
                    delivered.add(new String(p.payload()));
                    raw.send(new PubReply(PacketType.PUBACK, p.packetId(), 0, null));
                }
            }
            assertThat(acked).isSortedAccordingTo(Integer::compare).hasSize(20);
            assertThat(delivered).hasSize(20).startsWith("m1", "m2").endsWith("m20");
            assertThat(delivered).isEqualTo(delivered.stream().sorted((a, b) -> Integer.compare(
                    Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1)))).toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"MQTT_3_1_1, 4", "MQTT_5, 134"})
    void aPublishBehindARefusedConnectIsNeverProcessed_MQTT_3_1_4_5(ProtocolVersion version, int refusal)
            throws Exception {
        String topic = "early/refused/" + version;
        try (RawClient sub = subscriber(passwordFile, version, "refused-sub-" + version, "file", topic)) {
            try (RawClient raw = new RawClient(passwordFile.port())) {
                raw.setVersion(version);
                raw.sendRaw(oneWrite(version, connect(version, "refused-" + version, "file", "wrong".getBytes()),
                        new Publish(topic, 1, false, false, 9, "must not arrive".getBytes(), null),
                        new Subscribe(10, List.of(Subscription.of("#", 0)), null)));
                assertThat(((ConnAck) raw.receive()).reasonCode()).isEqualTo(refusal);
                assertThat(raw.closedWithin(5000)).as("closed after the CONNACK, nothing else answered").isTrue();
            }
            // a marker published after the refusal: the subscriber's first message must be it
            try (RawClient good = new RawClient(passwordFile.port())) {
                assertThat(good.connect(connect(version, "marker-" + version, "file", PASSWORD)).reasonCode())
                        .isZero();
                good.send(new Publish(topic, 1, false, false, 1, "marker".getBytes(), null));
                assertThat(good.receive()).isInstanceOf(PubReply.class);
            }
            Publish first = (Publish) sub.receive();
            assertThat(new String(first.payload())).isEqualTo("marker");
        }
    }

    /**
     * A real client publishing at once after connecting (mosquitto_pub 2.0 waits for the CONNACK before
     * its PUBLISH, as do Paho and the HiveMQ client, which refuses a publish before it is connected: the
     * pipelined case is covered byte-exactly above).
     */
    @Test
    void mosquittoPubPublishingAtOnceAfterConnectIsDelivered() throws Exception {
        String topic = "early/mosquitto";
        try (RawClient sub = subscriber(passwordFile, ProtocolVersion.MQTT_3_1_1, "mosq-sub", "file", topic)) {
            for (String v : List.of("mqttv311", "mqttv5")) {
                Process pub = new ProcessBuilder("mosquitto_pub", "-V", v, "-h", "127.0.0.1", "-p",
                        String.valueOf(passwordFile.port()), "-u", "alice", "-P", "wonderland", "-q", "1",
                        "-t", topic, "-m", "from " + v).redirectErrorStream(true).start();
                assertThat(pub.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(pub.exitValue()).as(new String(pub.getInputStream().readAllBytes())).isZero();
                Publish delivered = (Publish) sub.receive();
                assertThat(new String(delivered.payload())).isEqualTo("from " + v);
                sub.send(new PubReply(PacketType.PUBACK, delivered.packetId(), ReasonCode.SUCCESS, null));
            }
        }
    }
}
