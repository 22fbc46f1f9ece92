package io.volantmq.it;

import io.micrometer.core.instrument.MeterRegistry;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.PingReq;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that keeps publishing QoS 1 (and pinging) but never reads what the broker sends: the
 * broker stops reading from it once its write buffer is full, so what it holds for the client stays
 * bounded, and closes it when it stays so past {@code unwritableTimeout}. Others are served meanwhile.
 */
class UnreadingClientIT {
    /** Far more than socket buffers and the write high-water mark can absorb: 160 MB. */
    private static final int ATTEMPTS = 20_000;
    private static final byte[] PAYLOAD = new byte[8 * 1024];

    @Test
    void aClientThatNeverReadsIsPausedThenClosedAfterTheDeadline() throws Exception {
        neverReads(0);
    }

    /**
     * Reads are paused by the broker, so the client's PINGREQs wait unread: that must not count as a
     * keep-alive timeout; the unwritable deadline decides.
     */
    @Test
    void pausedReadsDoNotExpireTheKeepAlive() throws Exception {
        neverReads(1); // 1.5 s, well before the 3 s deadline
    }

    private static void neverReads(int keepAlive) throws Exception {
        try (BrokerFixture fixture = BrokerFixture.start(b -> b.setting("unwritableTimeout", "3")
                .setting("ioThreads", "2"));
             RawClient deaf = new RawClient(fixture.port(), 4096)) {
            MeterRegistry meters = fixture.broker().metrics().registry();
            deaf.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "deaf", true, keepAlive, null, null, null, null));
            // its own messages come back to it at QoS 0: they fill the socket buffers fast
            deaf.send(new Subscribe(1, List.of(Subscription.of("deaf/t", 0)), null));
            assertThat(deaf.receive()).isInstanceOf(SubAck.class); // from here on it reads nothing

            AtomicInteger sent = new AtomicInteger();
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < ATTEMPTS; i++) {
                        deaf.send(new Publish("deaf/t", 1, false, false, i % 65_535 + 1, PAYLOAD, null));
                        if (i % 10 == 0) {
                            deaf.send(PingReq.INSTANCE);
                        }
                        sent.incrementAndGet();
                    }
                    ended.set(new AssertionError("all " + ATTEMPTS + " PUBLISHes were taken"));
                } catch (IOException e) {
                    ended.set(e); // the broker closed the connection
                }
            }, "deaf-writer");
            writer.setDaemon(true);
            writer.start();

            // meanwhile another client pair is served normally (possibly on the same event loop)
            try (RawClient sub = new RawClient(fixture.port()); RawClient pub = new RawClient(fixture.port())) {
                sub.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "listener", true, 0, null, null, null, null));
                sub.send(new Subscribe(1, List.of(Subscription.of("ok/t", 1)), null));
                assertThat(sub.receive()).isInstanceOf(SubAck.class);
                pub.connect(new Connect(ProtocolVersion.MQTT_3_1_1, "talker", true, 0, null, null, null, null));
                await().atMost(Duration.ofSeconds(20)).until(() -> received(meters) > 100);
                pub.send(new Publish("ok/t", 1, false, false, 7, "hello".getBytes(), null));
                assertThat(pub.receive()).isInstanceOf(PubReply.class);
                Publish got = (Publish) sub.receive();
                assertThat(new String(got.payload())).isEqualTo("hello");
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> ended.get() != null);
            assertThat(ended.get()).as("the writer ends because the broker closed the connection")
                    .isInstanceOf(IOException.class);
            assertThat(meters.get("volantmq.clients.closed").tag("reason", "unwritable").counter().count())
                    .isEqualTo(1.0);
            // reading stopped with the write buffer full: the broker decoded only a small part
            assertThat(received(meters)).isLessThan(ATTEMPTS / 2.0);
        }
    }

    private static double received(MeterRegistry meters) {
        return meters.get("volantmq.packets.received").tag("type", "publish").counter().count();
    }
}
