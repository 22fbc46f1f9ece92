package io.volantmq.it;

import io.volantmq.broker.protocol.Disconnect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.Will;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.volantmq.it.Mqtt5Packets.connect;
import static io.volantmq.it.Mqtt5Packets.connectWithWill;
import static io.volantmq.it.Mqtt5Packets.props;
import static io.volantmq.it.Mqtt5Packets.publish;
import static io.volantmq.it.Mqtt5Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/** MQTT 5 chapter 3.14 and 3.1.3.2: server DISCONNECT reason codes, wills with delay. */
class Mqtt5DisconnectIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start(b -> b.maxPacketSize(1024));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static int disconnectCode(RawClient client) throws Exception {
        MqttMessage m = client.receive();
        assertThat(m).isInstanceOf(Disconnect.class);
        return ((Disconnect) m).reasonCode();
    }

    @Test
    void takeoverIs0x8E() throws Exception {
        try (RawClient first = new RawClient(broker.port()); RawClient second = new RawClient(broker.port())) {
            first.connect(connect("twin5"));
            second.connect(connect("twin5"));
            assertThat(disconnectCode(first)).isEqualTo(ReasonCode.SESSION_TAKEN_OVER);
        }
    }

    /**
     * The client keeps sending while it is taken over (PUBACKs, PINGREQs in flight). Closing the socket with
     * that input arriving makes the kernel answer with resets: the client's next write fails, and a client
     * library that reads and writes on two threads (Paho) then drops the connection before its reader got
     * to the DISCONNECT, so it never learns the reason. The broker half-closes and drains for a moment
     * instead: the client's writes keep succeeding and it reads the DISCONNECT, then the end of the stream.
     */
    @Test
    void takeoverReasonArrivesWhileTheOldClientKeepsSending() throws Exception {
        try (RawClient first = new RawClient(broker.port()); RawClient second = new RawClient(broker.port())) {
            first.connect(connect("busy-twin5"));
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Exception> writeFailed =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread pinger = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        first.sendRaw(new byte[] {(byte) 0xC0, 0x00}); // PINGREQ, replies left unread for now
                        Thread.sleep(2);
                    }
                } catch (Exception e) {
                    writeFailed.set(e);
                }
            });
            pinger.start();
            Thread.sleep(100);
            second.connect(connect("busy-twin5"));
            Thread.sleep(300); // the first keeps sending after the broker let it go
            stop.set(true);
            pinger.join();
            assertThat(writeFailed.get()).as("a write of the client that was let go").isNull();
            MqttMessage m;
            do {
                m = first.receive(); // PINGRESPs sent before the takeover, then the DISCONNECT
            } while (!(m instanceof Disconnect));
            assertThat(((Disconnect) m).reasonCode()).isEqualTo(ReasonCode.SESSION_TAKEN_OVER);
        }
    }

    @Test
    void keepAliveTimeoutIs0x8D() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("silent5", true, 1, null));
            assertThat(disconnectCode(client)).isEqualTo(ReasonCode.KEEP_ALIVE_TIMEOUT);
        }
    }

    @Test
    void oversizePacketIs0x95() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("big5"));
            client.send(new Publish("big", 0, false, false, 0, new byte[2048], null));
            assertThat(disconnectCode(client)).isEqualTo(ReasonCode.PACKET_TOO_LARGE);
        }
    }

    @Test
    void malformedIs0x81AndProtocolErrorIs0x82() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("malformed5"));
            client.sendRaw(new byte[] {0x30, 0x02, 0x00, 0x05}); // topic length 5, but no bytes left
            assertThat(disconnectCode(client)).isEqualTo(ReasonCode.MALFORMED_PACKET);
        }
        try (RawClient client = new RawClient(broker.port())) {
            client.connect(connect("protocol5"));
            client.send(connect("protocol5")); // second CONNECT [MQTT-3.1.0-2]
            assertThat(disconnectCode(client)).isEqualTo(ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void willWithDelayIsNotSentWhenTheSessionResumesInTime() throws Exception {
        try (RawClient watcher = new RawClient(broker.port())) {
            watcher.connect(connect("delay-watch"));
            watcher.send(subscribe(1, Subscription.of("will5/#", 0), null));
            watcher.receive();
            Will will = new Will("will5/resumed", "bye".getBytes(), 0, false,
                    props(PropertyId.WILL_DELAY_INTERVAL, 3L));
            RawClient device = new RawClient(broker.port());
            device.connect(connectWithWill("delay-dev", 60, will));
            device.abort();
            Thread.sleep(500);
            try (RawClient back = new RawClient(broker.port())) {
                assertThat(back.connect(Mqtt5Packets.connect("delay-dev", false, 60,
                        props(PropertyId.SESSION_EXPIRY_INTERVAL, 60L))).sessionPresent()).isTrue();
                assertThat(watcher.receiveOrNull(4000)).as("[MQTT-3.1.3-9] no will").isNull();
            }
        }
    }

    @Test
    void willWithDelayIsSentAfterTheDelay() throws Exception {
        try (RawClient watcher = new RawClient(broker.port())) {
            watcher.connect(connect("delay-watch2"));
            watcher.send(subscribe(1, Subscription.of("will5/#", 0), null));
            watcher.receive();
            Will will = new Will("will5/late", "bye".getBytes(), 0, false,
                    props(PropertyId.WILL_DELAY_INTERVAL, 1L, PropertyId.CONTENT_TYPE, "text/plain"));
            RawClient device = new RawClient(broker.port());
            device.connect(connectWithWill("delay-dev2", 60, will));
            long lost = System.nanoTime();
            device.abort();
            Publish published = (Publish) watcher.receive();
            assertThat((System.nanoTime() - lost) / 1_000_000).isGreaterThanOrEqualTo(900);
            assertThat(published.topic()).isEqualTo("will5/late");
            assertThat(published.properties().getString(PropertyId.CONTENT_TYPE)).isEqualTo("text/plain");
            assertThat(published.properties().contains(PropertyId.WILL_DELAY_INTERVAL)).isFalse();
        }
    }

    @Test
    void disconnectWithWillMessageSendsTheWill() throws Exception {
        try (RawClient watcher = new RawClient(broker.port()); RawClient device = new RawClient(broker.port())) {
            watcher.connect(connect("w04-watch"));
            watcher.send(subscribe(1, Subscription.of("will04", 0), null));
            watcher.receive();
            device.connect(connectWithWill("w04", 0, new Will("will04", "asked".getBytes(), 0, false, null)));
            device.send(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL, Properties.EMPTY));
            assertThat(new String(((Publish) watcher.receive()).payload())).isEqualTo("asked");
        }
    }

    @Test
    void normalDisconnectDropsTheWill() throws Exception {
        try (RawClient watcher = new RawClient(broker.port()); RawClient device = new RawClient(broker.port())) {
            watcher.connect(connect("w00-watch"));
            watcher.send(subscribe(1, Subscription.of("will00", 0), null));
            watcher.receive();
            device.connect(connectWithWill("w00", 0, new Will("will00", "no".getBytes(), 0, false, null)));
            device.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.EMPTY));
            assertThat(watcher.receiveOrNull(500)).isNull();
        }
    }

    @Test
    void receiveMaximumExceededIs0x93() throws Exception {
        try (BrokerFixture small = BrokerFixture.start(b -> b.receiveMaximum(2));
             RawClient client = new RawClient(small.port())) {
            client.connect(connect("flood"));
            for (int i = 1; i <= 3; i++) {
                client.send(publish("flood", 2, i, "x", Properties.EMPTY)); // never PUBREL
            }
            client.receive(); // PUBREC 1
            client.receive(); // PUBREC 2
            assertThat(disconnectCode(client)).isEqualTo(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
        }
    }

    @Test
    void brokerShutdownIs0x8B() throws Exception {
        BrokerFixture stopping = BrokerFixture.start();
        try (RawClient client = new RawClient(stopping.port())) {
            client.connect(connect("shutdown5"));
            stopping.close();
            assertThat(disconnectCode(client)).isEqualTo(ReasonCode.SERVER_SHUTTING_DOWN);
        }
    }
}
