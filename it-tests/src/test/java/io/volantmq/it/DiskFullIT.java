package io.volantmq.it;

import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import org.assertj.core.api.SoftAssertions;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.volantmq.it.Mqtt5Packets.connect;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The disk under a file-based durable store fills up. The broker runs as its own process with its
 * data directory on a 32 MiB tmpfs of its own (mounted in a mount namespace made with
 * {@code unshare}; the test reaches it through {@code /proc/<pid>/root}), 20 MiB of it taken by
 * ballast files. An offline persistent session subscribed at QoS 1 makes every 4 KiB message
 * (random bytes: nothing compresses) pile up in the store until a write fails with ENOSPC. The
 * test shows what a user relies on:
 * <ol type="a">
 *   <li>the broker stays up and keeps accepting connections (a clean MQTT 5 client gets CONNACK
 *       0x00 while the disk is full);</li>
 *   <li>no acknowledgement that is not durable: once the store fails, an MQTT 5 publisher gets
 *       PUBACK 0x80 (unspecified error) and a 3.1.1 publisher gets no PUBACK (its connection is
 *       closed);</li>
 *   <li>the broker's log says the store is failing and why: the disk is full;</li>
 *   <li>once an operator frees space (deletes 8 MiB of ballast), the subscriber reconnects and gets every
 *       message that was acknowledged (connecting again if it is disconnected on the way, as a device does);</li>
 *   <li>then QoS 1 publishing is acknowledged and delivered again, without a restart.</li>
 * </ol>
 * Only 8 MiB is freed: RocksDB by itself leaves its read-only state after a full disk only once its
 * largest write buffer (16 MiB) fits again, so this also shows that the store opens its files
 * again. After the disk has filled every check is a soft assertion, so one run reports every
 * promise a backend breaks, with the end of the broker's log. MQTT 5 goes through
 * {@link RawClient} for exact reason codes, 3.1.1 through Eclipse Paho.
 */
class DiskFullIT {
    private static final int PAYLOAD = 4096;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rocksdb", "sqlite", "mapdb"})
    void aFullDiskRefusesAcknowledgementsLosesNothingAcknowledgedAndRecoversOnceSpaceIsFreed(String backend)
            throws Exception {
        Path disk = Files.createDirectories(dir.resolve("disk"));
        Path log = dir.resolve("broker.log");
        SoftAssertions soft = new SoftAssertions();
        try (BrokerProcess broker = new BrokerProcess(settings(backend, disk), log).prefix(onSmallDisk(disk)).start()) {
            MqttClient offline = PahoSupport.connect(broker.uri(), "disk-sub", false, new PahoSupport.Recorder());
            offline.subscribe("disk/#", 1);
            offline.disconnect();
            offline.close();

            // connected before the disk fills: what it sees on publishing does not depend on connecting
            MqttClient v3 = PahoSupport.connect(broker.uri(), "disk-pub-3", true, new PahoSupport.Recorder());
            v3.setTimeToWait(5_000);

            // fill the disk: one MQTT 5 QoS 1 PUBLISH at a time until one is not acknowledged
            Random random = new Random(1);
            Set<String> acked = new LinkedHashSet<>();
            String refusal = null;
            try (RawClient publisher = new RawClient(broker.port())) {
                publisher.connect(connect("disk-pub-5"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                for (int n = 0; refusal == null && System.nanoTime() < deadline; n++) {
                    publisher.send(publish(n, random));
                    String reply = describe(receiveOrClosed(publisher));
                    if (reply.equals("PUBACK 0x0")) {
                        acked.add(id(n));
                    } else {
                        refusal = reply;
                    }
                }
            }
            assertThat(refusal).as("a PUBLISH refused within 20 s; log:\n" + logTail(log)).isNotNull();
            assertThat(acked).as("acknowledged before the disk was full").hasSizeGreaterThan(500);

            // (b)
            soft.assertThat(refusal).as("(b) MQTT 5: the reply to the PUBLISH the store could not take")
                    .isEqualTo("PUBACK 0x80");
            soft.assertThat(v3Publish(v3, payload(-1, random)))
                    .as("(b) MQTT 3.1.1 publish while the disk is full").isEqualTo("not acknowledged");

            // (a) two in a row: the first may be let through as the store's probe, the second comes right after
            soft.assertThat(broker.alive()).as("(a) broker process alive").isTrue();
            for (int i = 1; i <= 2; i++) {
                String connack = v5Connect(broker);
                soft.assertThat(connack).as("(a) new MQTT 5 client #%d while the disk is full", i)
                        .isEqualTo("CONNACK 0x0");
                if (!connack.equals("CONNACK 0x0")) {
                    break;
                }
            }

            // (c)
            List<String> failing = Files.readAllLines(log).stream()
                    .filter(line -> line.contains("store '" + backend + "' is failing: ")).limit(3).toList();
            soft.assertThat(failing).as("(c) the log says the store is failing because the disk is full")
                    .anyMatch(line -> line.contains("No space left on device") || line.contains("disk is full"));

            // (d) the operator frees space: the tmpfs is only visible in the broker's mount namespace
            Files.delete(Path.of("/proc/" + broker.pid() + "/root" + disk.resolve("ballast")));
            PahoSupport.Recorder received = new PahoSupport.Recorder();
            Set<String> missing = new LinkedHashSet<>(acked);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            // like a device, the subscriber connects again whenever it is disconnected: the first writes
            // after the store opens again may still meet a full disk while RocksDB deletes its old log
            MqttClient subscriber = null;
            boolean everConnected = false;
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                if (subscriber == null || !subscriber.isConnected()) {
                    closeQuietly(subscriber);
                    subscriber = connectOrNull(broker, "disk-sub", false, received);
                    everConnected |= subscriber != null;
                    continue;
                }
                PahoSupport.Received r = received.poll(500);
                if (r != null) {
                    missing.remove(id(r.message().getPayload()));
                }
            }
            soft.assertThat(everConnected).as("(d) the subscriber reconnects within 15 s").isTrue();
            soft.assertThat(missing.size()).as("(d) of %d acknowledged, not delivered within 15 s (first: %s)",
                    acked.size(), missing.stream().limit(3).toList()).isZero();

            // (e) QoS 1 acknowledged and delivered again, without a restart
            boolean acknowledged = false;
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!acknowledged && System.nanoTime() < deadline) {
                acknowledged = describe(v5Publish(broker, publish(9_999_999, random))).equals("PUBACK 0x0");
                if (!acknowledged) {
                    Thread.sleep(500);
                }
            }
            soft.assertThat(acknowledged).as("(e) QoS 1 acknowledged again within 10 s").isTrue();
            if (acknowledged) {
                boolean delivered = false;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!delivered && System.nanoTime() < end) {
                    PahoSupport.Received r = received.poll(500);
                    delivered = r != null && id(r.message().getPayload()).equals(id(9_999_999));
                }
                soft.assertThat(delivered).as("(e) and delivered").isTrue();
            }
            closeQuietly(subscriber);
            soft.assertThat(broker.alive()).as("(a) broker process alive at the end").isTrue();
            if (!soft.errorsCollected().isEmpty()) {
                soft.fail("broker log, last lines without stack traces:\n" + logTail(log));
            }
        }
        soft.assertAll();
    }

    private static List<String> settings(String backend, Path disk) {
        String file = switch (backend) {
            case "rocksdb" -> "rocksdb";
            case "sqlite" -> "store.db";
            case "mapdb" -> "store.mapdb";
            default -> throw new IllegalArgumentException(backend);
        };
        return List.of("-Dvolantmq.persistence=" + backend,
                "-Dvolantmq.persistence." + backend + ".path=" + disk.resolve(file));
    }

    /** Mounts a small tmpfs on {@code disk} for the broker alone, fills most of it, execs the launcher. */
    private static List<String> onSmallDisk(Path disk) {
        return List.of("unshare", "-rm", "sh", "-c",
                "mount -t tmpfs -o size=32m tmpfs \"$0\" && head -c 12M /dev/zero > \"$0\"/ballast-kept && head -c 8M /dev/zero > \"$0\"/ballast && exec \"$@\"",
                disk.toString());
    }

    /** What a connected 3.1.1 client publishing one QoS 1 message learns within 5 s. */
    private static String v3Publish(MqttClient client, byte[] payload) {
        try {
            client.publish("disk/q", payload, 1, false);
            return "acknowledged";
        } catch (MqttException closedOrTimedOut) {
            return "not acknowledged";
        } finally {
            closeQuietly(client);
        }
    }

    /** A connected 3.1.1 client, or null when there is no CONNACK within 5 s. */
    private static MqttClient connectOrNull(BrokerProcess broker, String clientId, boolean cleanSession,
                                           PahoSupport.Recorder recorder) {
        MqttConnectOptions options = PahoSupport.options(cleanSession);
        options.setConnectionTimeout(5);
        MqttClient client = null;
        try {
            client = PahoSupport.client(broker.uri(), clientId, recorder);
            client.connect(options);
            return client;
        } catch (MqttException e) {
            closeQuietly(client);
            return null;
        }
    }

    private static void closeQuietly(MqttClient client) {
        if (client == null) {
            return;
        }
        try {
            client.disconnectForcibly(0, 1000);
        } catch (MqttException notConnected) {
            // closed below either way
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // a connect that timed out may still be "in progress": its socket is closed with the broker
        }
    }

    private static String v5Connect(BrokerProcess broker) {
        try (RawClient client = new RawClient(broker.port())) {
            return "CONNACK 0x" + Integer.toHexString(client.connect(connect("disk-another")).reasonCode());
        } catch (IOException | AssertionError e) {
            return e.getMessage();
        }
    }

    /** The reply to one MQTT 5 QoS 1 PUBLISH on a new connection, or null. */
    private static MqttMessage v5Publish(BrokerProcess broker, Publish publish) {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("disk-pub-again"));
            client.send(publish);
            return receiveOrClosed(client);
        } catch (IOException | AssertionError e) {
            return null;
        }
    }

    /** The next packet (AssertionError after 5 s), or null when the broker closed the connection. */
    private static MqttMessage receiveOrClosed(RawClient client) throws IOException {
        try {
            return client.receive();
        } catch (EOFException | SocketException closed) {
            return null;
        }
    }

    private static String logTail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("\t")).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static String describe(MqttMessage reply) {
        if (reply == null) {
            return "connection closed";
        }
        if (reply instanceof PubReply r) {
            return r.type() + " 0x" + Integer.toHexString(r.reasonCode());
        }
        if (reply instanceof Disconnect d) {
            return "DISCONNECT 0x" + Integer.toHexString(d.reasonCode()) + " " + d.properties();
        }
        return String.valueOf(reply);
    }

    private static Publish publish(int n, Random random) {
        return new Publish("disk/q", 1, false, false, 1 + n % 65_535, payload(n, random), Properties.EMPTY);
    }

    /** 4 KiB of random bytes (nothing compresses) that start with the message's id. */
    private static byte[] payload(int n, Random random) {
        byte[] payload = new byte[PAYLOAD];
        random.nextBytes(payload);
        byte[] id = id(n).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(id, 0, payload, 0, id.length);
        return payload;
    }

    private static String id(int n) {
        return String.format("m%07d", n);
    }

    private static String id(byte[] payload) {
        return new String(payload, 0, 8, StandardCharsets.US_ASCII);
    }
}
