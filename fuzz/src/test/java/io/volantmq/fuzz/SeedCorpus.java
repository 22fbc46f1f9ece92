package io.volantmq.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.PingResp;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.UnsubAck;
import io.volantmq.broker.protocol.Unsubscribe;
import io.volantmq.broker.protocol.Will;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the checked-in seed corpus: valid packets of MQTT 3.1, 3.1.1 and 5.0, in the input layout
 * of each fuzz target (a control byte first, see the targets), into Jazzer's inputs directories
 * ({@code <TestClass>Inputs/<method>/} next to the test class), where regression mode runs them and
 * fuzzing mode starts from them. Re-written (after a codec change) by {@link SeedCorpusTest}:
 * <pre>
 *   mvn -B -o -pl fuzz -am test -Dtest=SeedCorpusTest -Dfuzz.writeSeeds=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
final class SeedCorpus {
    private SeedCorpus() {
    }

    /** Writes the seeds under {@code resources} (a src/test/resources directory); returns how many. */
    static int write(Path resources) throws IOException {
        Path pkg = resources.resolve("io/volantmq/fuzz");
        Path decode = pkg.resolve("DecoderFuzzTestInputs/decode");
        Path afterConnect = pkg.resolve("ConnectionFuzzTestInputs/afterConnect");
        Path sequence = pkg.resolve("ConnectionFuzzTestInputs/packetSequence");
        for (Path dir : List.of(decode, afterConnect, sequence)) {
            Files.createDirectories(dir);
        }
        int written = 0;
        for (ProtocolVersion v : ProtocolVersion.values()) {
            String tag = switch (v) {
                case MQTT_3_1 -> "v31";
                case MQTT_3_1_1 -> "v311";
                case MQTT_5 -> "v5";
            };
            int presetBits = switch (v) {
                case MQTT_3_1 -> 1;
                case MQTT_3_1_1 -> 2;
                case MQTT_5 -> 3;
            };
            int versionBits = switch (v) {
                case MQTT_3_1 -> 0;
                case MQTT_3_1_1 -> 1;
                case MQTT_5 -> 2;
            };
            Map<String, MqttMessage> connects = connects(v);
            Map<String, MqttMessage> packets = clientPackets(v);
            Map<String, MqttMessage> serverPackets = serverPackets(v);

            // the decoder: each CONNECT on a fresh channel, each other packet on a channel of its version
            for (var e : connects.entrySet()) {
                written += write(decode.resolve(e.getKey() + "-" + tag), 0, encode(v, e.getValue()));
            }
            for (var e : packets.entrySet()) {
                written += write(decode.resolve(e.getKey() + "-" + tag), presetBits, encode(v, e.getValue()));
            }
            for (var e : serverPackets.entrySet()) {
                written += write(decode.resolve(e.getKey() + "-" + tag), presetBits, encode(v, e.getValue()));
            }
            // a whole session, at once and in reads of 1 and 8 bytes
            byte[] session = concat(encode(v, connects.values().iterator().next()), encodeAll(v, packets));
            written += write(decode.resolve("session-" + tag), 0, session);
            written += write(decode.resolve("session-" + tag + "-1byte-reads"), 1 << 2, session);
            written += write(decode.resolve("session-" + tag + "-8byte-reads"), 4 << 2, session);

            // after a valid CONNECT: each packet, and all of them, with and without the watcher
            for (var e : packets.entrySet()) {
                written += write(afterConnect.resolve(e.getKey() + "-" + tag), versionBits, encode(v, e.getValue()));
            }
            byte[] all = encodeAll(v, packets);
            written += write(afterConnect.resolve("all-" + tag), versionBits, all);
            written += write(afterConnect.resolve("all-" + tag + "-persistent-qos2-watcher"),
                    versionBits | 0x20 | (2 << 6), all);
            written += write(afterConnect.resolve("all-" + tag + "-no-watcher-2byte-reads"),
                    versionBits | (2 << 2) | (3 << 6), all);
        }
        // packetSequence reads its input through FuzzedDataProvider: a few fixed pseudo-random inputs
        Random random = new Random(18);
        for (int i = 0; i < 12; i++) {
            byte[] bytes = new byte[64 + 64 * i];
            random.nextBytes(bytes);
            written += write(sequence.resolve("random-" + i), -1, bytes);
        }
        return written;
    }

    static Map<String, MqttMessage> connects(ProtocolVersion v) {
        Map<String, MqttMessage> m = new LinkedHashMap<>();
        m.put("connect-minimal", new Connect(v, "seed-client", true, 60, null, null, null, null));
        Properties willProps = v.isV5() ? Properties.builder()
                .add(PropertyId.WILL_DELAY_INTERVAL, 5L)
                .add(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1)
                .add(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60L)
                .add(PropertyId.CONTENT_TYPE, "text/plain")
                .add(PropertyId.RESPONSE_TOPIC, "seed/response")
                .add(PropertyId.CORRELATION_DATA, new byte[]{1, 2, 3})
                .add(PropertyId.USER_PROPERTY, new StringPair("k", "v"))
                .build() : Properties.EMPTY;
        Will will = new Will("seed/will", "gone".getBytes(StandardCharsets.UTF_8), 1, true, willProps);
        m.put("connect-will-credentials", new Connect(v, "seed-will", false, 30, "user",
                "secret".getBytes(StandardCharsets.UTF_8), will, Properties.EMPTY));
        if (v.isV5()) {
            m.put("connect-properties", new Connect(v, "", true, 10, "user", null, null, Properties.builder()
                    .add(PropertyId.SESSION_EXPIRY_INTERVAL, 300L)
                    .add(PropertyId.RECEIVE_MAXIMUM, 10)
                    .add(PropertyId.MAXIMUM_PACKET_SIZE, 4096L)
                    .add(PropertyId.TOPIC_ALIAS_MAXIMUM, 5)
                    .add(PropertyId.REQUEST_RESPONSE_INFORMATION, 1)
                    .add(PropertyId.REQUEST_PROBLEM_INFORMATION, 0)
                    .add(PropertyId.USER_PROPERTY, new StringPair("seed", "yes"))
                    .build()));
        }
        return m;
    }

    static Map<String, MqttMessage> clientPackets(ProtocolVersion v) {
        boolean v5 = v.isV5();
        Map<String, MqttMessage> m = new LinkedHashMap<>();
        m.put("subscribe", new Subscribe(1, List.of(
                new Subscription("seed/+/temp", 0, false, false, 0),
                new Subscription("seed/#", 1, v5, v5, v5 ? 1 : 0),
                new Subscription("seed/qos2", 2, false, false, v5 ? 2 : 0)),
                v5 ? Properties.builder().add(PropertyId.SUBSCRIPTION_IDENTIFIER, 7)
                        .add(PropertyId.USER_PROPERTY, new StringPair("s", "1")).build() : Properties.EMPTY));
        if (v5) {
            m.put("subscribe-shared", new Subscribe(2, List.of(new Subscription("$share/g/seed/shared", 1, false,
                    false, 0)), Properties.EMPTY));
        }
        m.put("publish-qos0", new Publish("seed/a/temp", 0, false, false, 0, bytes("21.5"), Properties.EMPTY));
        m.put("publish-qos1-retain", new Publish("seed/retained", 1, true, false, 10, bytes("kept"),
                Properties.EMPTY));
        Properties publishProps = v5 ? Properties.builder()
                .add(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1)
                .add(PropertyId.MESSAGE_EXPIRY_INTERVAL, 120L)
                .add(PropertyId.TOPIC_ALIAS, 1)
                .add(PropertyId.RESPONSE_TOPIC, "seed/reply")
                .add(PropertyId.CORRELATION_DATA, new byte[]{9, 8})
                .add(PropertyId.CONTENT_TYPE, "application/json")
                .add(PropertyId.USER_PROPERTY, new StringPair("trace", "abc"))
                .build() : Properties.EMPTY;
        m.put("publish-qos2-properties", new Publish("seed/qos2", 2, false, false, 11, bytes("{\"x\":1}"),
                publishProps));
        if (v5) {
            // the alias alone, the topic empty: [MQTT-3.3.2-12]
            m.put("publish-alias-only", new Publish("", 1, false, false, 12, bytes("aliased"),
                    Properties.builder().add(PropertyId.TOPIC_ALIAS, 1).build()));
        }
        Properties reason = v5 ? Properties.builder().add(PropertyId.REASON_STRING, "seed").build() : Properties.EMPTY;
        m.put("puback", new PubReply(PacketType.PUBACK, 1, v5 ? 0x10 : 0, reason));
        m.put("pubrec", new PubReply(PacketType.PUBREC, 2, 0, Properties.EMPTY));
        m.put("pubrel", new PubReply(PacketType.PUBREL, 11, 0, Properties.EMPTY));
        m.put("pubcomp", new PubReply(PacketType.PUBCOMP, 2, v5 ? 0x92 : 0, reason));
        m.put("pingreq", new PingReq());
        m.put("unsubscribe", new Unsubscribe(3, List.of("seed/+/temp", "seed/none"), Properties.EMPTY));
        if (v5) {
            m.put("auth", new Auth(0x19, Properties.builder().add(PropertyId.AUTHENTICATION_METHOD, "SCRAM-SHA-256")
                    .add(PropertyId.AUTHENTICATION_DATA, bytes("n,,n=user,r=abc")).build()));
            m.put("disconnect", new Disconnect(0x04, Properties.builder()
                    .add(PropertyId.SESSION_EXPIRY_INTERVAL, 0L)
                    .add(PropertyId.REASON_STRING, "bye").build()));
        } else {
            m.put("disconnect", new Disconnect(0, Properties.EMPTY));
        }
        return m;
    }

    /** Packets only a server sends: the decoder must refuse or read them without harm. */
    static Map<String, MqttMessage> serverPackets(ProtocolVersion v) {
        boolean v5 = v.isV5();
        Map<String, MqttMessage> m = new LinkedHashMap<>();
        m.put("server-connack", new ConnAck(true, 0, v5 ? Properties.builder()
                .add(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, "auto-1").add(PropertyId.RECEIVE_MAXIMUM, 20).build()
                : Properties.EMPTY));
        m.put("server-suback", new SubAck(1, List.of(0, 1, v5 ? 0x80 : 0x80), Properties.EMPTY));
        m.put("server-unsuback", new UnsubAck(3, v5 ? List.of(0, 0x11) : List.of(), Properties.EMPTY));
        m.put("server-pingresp", new PingResp());
        return m;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] encodeAll(ProtocolVersion v, Map<String, MqttMessage> packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (MqttMessage m : packets.values()) {
            out.writeBytes(encode(v, m));
        }
        return out.toByteArray();
    }

    static byte[] encode(ProtocolVersion v, MqttMessage message) {
        ByteBuf buf = MqttCodec.encode(message, v, UnpooledByteBufAllocator.DEFAULT);
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Writes a seed: the control byte (none when negative), then the bytes. */
    private static int write(Path file, int control, byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (control >= 0) {
            out.write(control);
        }
        out.writeBytes(bytes);
        Files.write(file, out.toByteArray());
        return 1;
    }
}
