package io.volantmq.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * QoS 0 fan-out 1:20 (issue 17) where one subscriber connects, subscribes and stops reading: the other
 * 19, half of them MQTT 3.1.1 and half 5.0, get every message while the broker drops (and counts) what
 * the stalled one cannot take, instead of queueing it. When the stalled one reads again it is served:
 * it gets exactly what was not counted as dropped. The shared encodings leak nothing (the JVM runs with
 * Netty's leak detector at PARANOID).
 */
class StalledFanOutIT {
    private static final int SUBSCRIBERS = 20;
    private static final byte[] PAYLOAD = new byte[4096];
    /**
     * Messages per burst: 25 x 4 KB stays below the 128 KB write high-water mark, and the next burst
     * goes out once every reading subscriber has the last one, so a reader is never over the mark.
     */
    private static final int BURST = 25;
    /** 20 MB in all: far beyond the stalled one's socket buffers and the high-water mark. */
    private static final int BURSTS = 200;

    @Test
    void oneStalledSubscriberDropsCountedWhileTheOthersGetEverything() throws Exception {
        Logger leakLog = (Logger) LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector");
        ListAppender<ILoggingEvent> leaks = new ListAppender<>();
        leaks.start();
        leakLog.addAppender(leaks);
        List<Reader> readers = new ArrayList<>();
        try (BrokerFixture broker = BrokerFixture.start(b -> b.setting("unwritableTimeout", "0"));
             RawClient stalled = new RawClient(broker.port(), 4096); RawClient pub = new RawClient(broker.port())) {
            stalled.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "stalled", true, 0, null, null, null, null));
            stalled.send(new Subscribe(1, List.of(Subscription.of("fan/out", 0)), null));
            assertThat(stalled.receive()).isInstanceOf(SubAck.class); // from here on it reads nothing
            for (int i = 1; i < SUBSCRIBERS; i++) {
                readers.add(new Reader(broker.port(), "reader-" + i,
                        i % 2 == 0 ? ProtocolVersion.MQTT_5 : ProtocolVersion.MQTT_3_1_1));
            }
            pub.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "publisher", true, 0, null, null, null, null));
            double dropsBefore = slowConsumerDrops(broker);

            int sent = 0;
            for (int burst = 0; burst < BURSTS; burst++) {
                for (int i = 0; i < BURST; i++) {
                    pub.send(new Publish("fan/out", 0, false, false, 0, PAYLOAD, null));
                }
                sent += BURST;
                int expected = sent;
                await().atMost(Duration.ofSeconds(60)).until(() -> readers.stream().allMatch(r -> r.received() >= expected));
            }
            for (Reader r : readers) {
                assertThat(r.received()).as(r.clientId).isEqualTo(sent); // nothing dropped for a reader
            }
            long dropped = (long) (slowConsumerDrops(broker) - dropsBefore);
            assertThat(dropped).as("dropped for the stalled subscriber").isPositive();

            // it reads again: what was not dropped (kernel buffers, the bounded write buffer) arrives, then new messages
            Reader resumed = new Reader(stalled, "stalled");
            boolean caughtUp = false;
            for (int attempt = 0; attempt < 50 && !caughtUp; attempt++) {
                pub.send(new Publish("fan/out", 0, false, false, 0, PAYLOAD, null));
                sent++;
                int total = sent;
                try {
                    await().atMost(Duration.ofSeconds(2)).until(
                            () -> resumed.received() + (long) (slowConsumerDrops(broker) - dropsBefore) == total);
                    caughtUp = true;
                } catch (ConditionTimeoutException e) {
                    // this one met a full buffer and was dropped (counted), or is still on its way: send another
                }
            }
            // every message is accounted for: received by it, or counted as dropped; nothing waits in the broker
            assertThat(resumed.received() + (long) (slowConsumerDrops(broker) - dropsBefore)).isEqualTo(sent);
            int before = resumed.received();
            pub.send(new Publish("fan/out", 0, false, false, 0, PAYLOAD, null)); // its buffers are empty now
            sent++;
            await().atMost(Duration.ofSeconds(30)).until(() -> resumed.received() == before + 1);
            int total = sent;
            await().atMost(Duration.ofSeconds(30)).until(() -> readers.stream().allMatch(r -> r.received() == total));
            resumed.stop();
        } finally {
            for (Reader r : readers) {
                r.stop();
            }
        }
        provokeLeakReports();
        leakLog.detachAppender(leaks);
        assertThat(leaks.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("LEAK"));
    }

    /** Netty reports a leaked buffer when a later allocation finds it collected: collect, then allocate. */
    private static void provokeLeakReports() throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            System.gc();
            Thread.sleep(50);
            for (int i = 0; i < 100; i++) {
                ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(64);
                probe.release();
            }
        }
    }

    private static double slowConsumerDrops(BrokerFixture broker) {
        return broker.broker().metrics().registry().get("volantmq.messages.dropped").tag("reason", "slow_consumer")
                .counter().count();
    }

    /** A subscriber that reads and counts every PUBLISH on its own thread. */
    private static final class Reader {
        private final RawClient client;
        private final String clientId;
        private final AtomicInteger received = new AtomicInteger();
        private final Thread thread;
        private volatile boolean stopping;

        Reader(int port, String clientId, ProtocolVersion version) throws IOException {
            this(subscribed(port, clientId, version), clientId);
        }

        Reader(RawClient client, String clientId) {
            this.client = client;
            this.clientId = clientId;
            this.thread = new Thread(this::run, clientId);
            thread.setDaemon(true);
            thread.start();
        }

        private static RawClient subscribed(int port, String clientId, ProtocolVersion version) throws IOException {
            RawClient client = new RawClient(port);
            client.connect(new Connect(version, clientId, true, 0, null, null, null, null));
            client.send(new Subscribe(1, List.of(Subscription.of("fan/out", 0)), null));
            assertThat(client.receive()).isInstanceOf(SubAck.class);
            return client;
        }

        private void run() {
            try {
                while (!stopping) {
                    MqttMessage m = client.receiveOrNull(200);
                    if (m instanceof Publish p && p.payload().length == PAYLOAD.length) {
                        received.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        int received() {
            return received.get();
        }

        void stop() throws IOException, InterruptedException {
            stopping = true;
            thread.join(5000);
            client.close();
        }
    }
}
