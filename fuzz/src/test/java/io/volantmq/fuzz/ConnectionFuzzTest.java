package io.volantmq.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.volantmq.broker.protocol.Auth;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

import java.util.List;

/**
 * Fuzzes whole connections against the broker core ({@link EmbeddedBroker}: real codec, real
 * MqttConnection, real memory store; its {@code finish} is the oracle: nothing thrown or logged as an
 * internal error, nothing leaked, every packet the broker sent well-formed, and fresh clients of every
 * version can still connect and exchange a message afterwards).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionFuzzTest {
    private final LogWatch watch = LogWatch.installed();
    private final LeakSweep leaks = new LeakSweep();

    /**
     * A valid CONNECT, then arbitrary bytes on the connected channel, while a second client
     * subscribed to {@code #} receives whatever the fuzzed client manages to publish.
     *
     * <p>Input: one control byte, then the bytes. Control bits 0-1: the version (0 = 3.1, 1 = 3.1.1,
     * 2-3 = 5.0); bits 2-4: reads of 2^(k-1) bytes (0 = one read); bit 5: the fuzzed client connects
     * with a persistent session; bits 6-7: the watcher's subscription QoS (3 = no watcher).
     */
    @FuzzTest(maxDuration = "30s")
    void afterConnect(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int control = input[0] & 0xFF;
        ProtocolVersion version = switch (control & 3) {
            case 0 -> ProtocolVersion.MQTT_3_1;
            case 1 -> ProtocolVersion.MQTT_3_1_1;
            default -> ProtocolVersion.MQTT_5;
        };
        int chunkBits = (control >> 2) & 7;
        int chunk = chunkBits == 0 ? input.length : 1 << (chunkBits - 1);
        boolean persistent = (control & 0x20) != 0;
        int watcherQos = control >> 6;
        try (EmbeddedBroker broker = new EmbeddedBroker()) {
            if (watcherQos < 3) {
                EmbeddedBroker.Client watcher = broker.open(version);
                watcher.send(new Connect(version, "watcher", true, 0, null, null, null, null));
                requireType(watcher.poll(), ConnAck.class);
                watcher.send(new Subscribe(1, List.of(new Subscription("#", watcherQos, false, false, 0)), null));
                requireType(watcher.poll(), SubAck.class);
            }
            EmbeddedBroker.Client client = broker.open(version);
            client.send(new Connect(version, "fuzzed", !persistent, 30, null, null, null, null));
            requireType(client.poll(), ConnAck.class);
            for (int i = 1; i < input.length && client.channel.isOpen(); i += chunk) {
                client.sendRaw(input, i, Math.min(chunk, input.length - i));
            }
            broker.advanceTime(50); // past 1.5 x keep-alive: the timer fires on what the input left
            broker.finish(watch, version);
        }
        leaks.afterInput(watch);
    }

    /**
     * Sequences of well-formed packets from up to four clients of any version: CONNECT (will,
     * credentials, properties), PUBLISH QoS 0/1/2, SUBSCRIBE with options, UNSUBSCRIBE, the four
     * publish replies, PINGREQ, DISCONNECT, AUTH, plus dropped connections, raw bytes and time passing.
     * Field values come from small sets so that clients meet on the same ids, topics and packet ids.
     */
    @FuzzTest(maxDuration = "30s")
    void packetSequence(FuzzedDataProvider data) {
        try (EmbeddedBroker broker = new EmbeddedBroker()) {
            PacketGenerator gen = new PacketGenerator(data);
            ProtocolVersion checkVersion = data.pickValue(ProtocolVersion.values());
            for (int op = 0; op < 48 && data.remainingBytes() > 0; op++) {
                step(broker, gen, data);
            }
            broker.finish(watch, checkVersion);
        }
        leaks.afterInput(watch);
    }

    private static void step(EmbeddedBroker broker, PacketGenerator gen, FuzzedDataProvider data) {
        List<EmbeddedBroker.Client> clients = broker.clients();
        int action = data.consumeInt(0, 12);
        if (action == 0 || clients.isEmpty()) {
            if (clients.size() < 4) {
                broker.open(data.pickValue(ProtocolVersion.values()));
            }
            return;
        }
        EmbeddedBroker.Client c = clients.get(data.consumeInt(0, clients.size() - 1));
        if (!c.channel.isOpen()) {
            return;
        }
        ProtocolVersion v = c.version;
        switch (action) {
            case 1 -> gen.send(c, gen.connect(v));
            case 2 -> gen.send(c, gen.publish(v));
            case 3 -> gen.send(c, gen.subscribe(v));
            case 4 -> gen.send(c, gen.unsubscribe(v));
            case 5 -> gen.send(c, new PubReply(data.pickValue(new PacketType[]{PacketType.PUBACK, PacketType.PUBREC,
                    PacketType.PUBREL, PacketType.PUBCOMP}), gen.packetId(), gen.reasonCode(),
                    gen.properties(v, PacketType.PUBACK)));
            case 6 -> gen.send(c, new PingReq());
            case 7 -> gen.send(c, new Disconnect(gen.reasonCode(), gen.properties(v, PacketType.DISCONNECT)));
            case 8 -> gen.send(c, new Auth(gen.reasonCode(), gen.properties(v, PacketType.AUTH)));
            case 9 -> {
                c.channel.close();
                broker.settle();
            }
            case 10 -> {
                byte[] raw = data.consumeBytes(data.consumeInt(1, 64));
                if (raw.length > 0) {
                    c.sendRaw(raw, 0, raw.length);
                }
            }
            case 11 -> broker.advanceTime(data.consumeInt(1, 200));
            default -> acknowledge(c);
        }
    }

    /** Answers what the client received as a well-behaved client would (PUBACK, PUBREC, PUBCOMP). */
    private static void acknowledge(EmbeddedBroker.Client c) {
        for (MqttMessage m = c.poll(); m != null && c.channel.isOpen(); m = c.poll()) {
            if (m instanceof Publish p && p.qos() == 1) {
                c.send(new PubReply(PacketType.PUBACK, p.packetId(), 0, null));
            } else if (m instanceof Publish p && p.qos() == 2) {
                c.send(new PubReply(PacketType.PUBREC, p.packetId(), 0, null));
            } else if (m instanceof PubReply r && r.type() == PacketType.PUBREL) {
                c.send(new PubReply(PacketType.PUBCOMP, r.packetId(), 0, null));
            }
        }
    }

    private static void requireType(MqttMessage m, Class<?> type) {
        if (!type.isInstance(m)) {
            throw new AssertionError("harness set-up: expected " + type.getSimpleName() + ", got " + m);
        }
    }

    @AfterAll
    void finalSweep() {
        leaks.sweep(watch);
    }
}
