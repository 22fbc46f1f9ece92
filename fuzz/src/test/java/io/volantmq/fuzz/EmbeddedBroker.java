package io.volantmq.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.BrokerEvents;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.Authenticator;
import io.volantmq.broker.codec.DecodeFailure;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.codec.MqttEncoder;
import io.volantmq.broker.metrics.BrokerMetrics;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.PubReply;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.SubAck;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.BrokerContext;
import io.volantmq.broker.session.MqttConnection;
import io.volantmq.broker.session.ListenerContext;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.memory.MemoryProvider;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One broker core for one fuzz input: the real memory store, the real codec and {@link MqttConnection}
 * on Netty {@link EmbeddedChannel}s (the pieces of the listener pipeline that see MQTT bytes), all
 * buffers from one {@link TrackingAllocator}. No sockets, no threads of its own: every hop between
 * connections is a pending task that {@link #settle()} runs, so an input replays the same way each time.
 *
 * <p>The oracle, checked by {@link #finish()}: no exception reaches the end of a pipeline or escapes
 * a task, every byte the broker sends decodes as a well-formed packet of the connection's version, no
 * buffer is left unreleased, and afterwards fresh clients can still connect and exchange a message.
 */
final class EmbeddedBroker implements AutoCloseable {
    private static final URI LISTENER = URI.create("tcp://127.0.0.1:1883");

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final Store store;
    private final BrokerContext broker;
    private final List<Client> clients = new ArrayList<>();
    private boolean closed;

    EmbeddedBroker() {
        store = new MemoryProvider().open(new ProviderConfig("memory", Map.of()));
        broker = BrokerContext.wire(BrokerConfig.builder().build(), store, AccessControl.ALLOW_ALL, List.of(),
                BrokerMetrics.noop(), BrokerEvents.NONE);
    }

    /** The default {@code maxConnectPacketSize}. */
    private static final int PRE_CONNECT_LIMIT = 65_536;

    /** A new connection speaking {@code version} (the version its CONNECTs will state). */
    Client open(ProtocolVersion version) {
        EmbeddedChannel channel = Channels.open(alloc, MqttCodec.PROTOCOL_VERSION, null,
                // the broker's own decoder: it holds what follows a CONNECT until the CONNACK
                MqttDecoder.forBroker(PRE_CONNECT_LIMIT), MqttEncoder.INSTANCE,
                new MqttConnection(broker, new ListenerContext(LISTENER, Authenticator.ALLOW_ALL,
                        broker.config().maxPacketSize())));
        Client client = new Client(channel, version);
        clients.add(client);
        return client;
    }

    List<Client> clients() {
        return clients;
    }

    /** Runs every pending task on every channel until none is left (cross-connection hops, flushes). */
    void settle() {
        for (int round = 0; round < 1000; round++) {
            boolean more = false;
            for (int i = 0; i < clients.size(); i++) {
                Client c = clients.get(i);
                c.channel.runPendingTasks();
                c.channel.checkException();
                more |= c.channel.hasPendingTasks();
                c.verifyOutbound();
            }
            if (!more) {
                for (Client c : clients) {
                    c.assertNothingUnflushed();
                }
                return;
            }
        }
        throw new AssertionError("tasks still pending after 1000 rounds: a loop between connections?");
    }

    /** Moves every connection's clock on and runs what falls due (keep-alive, retries, timeouts). */
    void advanceTime(long seconds) {
        for (Client c : clients) {
            c.channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
            c.channel.runScheduledPendingTasks();
        }
        settle();
    }

    /**
     * Ends the input: closes every connection, checks that nothing leaked or failed, then that fresh
     * clients of {@code checkVersion} can still connect and exchange a QoS 1 message (one version per
     * input, not all three: the check is a good part of an input's cost).
     */
    void finish(LogWatch watch, ProtocolVersion checkVersion) {
        for (Client c : clients) {
            c.channel.close();
        }
        settle();
        advanceTime(3600); // session expiry, will delay, retries: whatever the input left scheduled
        releaseAll();
        Findings.check(alloc.unreleased(), "buffers not released after the input");
        Findings.check(watch.drain(), "broker errors or leak reports during the input");
        assertStillUsable(checkVersion);
        for (Client c : clients) {
            c.channel.close();
        }
        settle();
        releaseAll();
        Findings.check(alloc.unreleased(), "buffers not released by the check clients");
        Findings.check(watch.drain(), "broker errors or leak reports during the check");
    }

    private void releaseAll() {
        for (Client c : clients) {
            c.verifyOutbound();
            c.channel.finishAndReleaseAll();
            c.channel.checkException();
            c.closeView();
        }
    }

    private void assertStillUsable(ProtocolVersion v) {
        String tag = "check-" + v.level();
        String topic = "fuzzcheck/" + tag + "/x";
        Client sub = open(v);
        expect(sub, ConnAck.class, "CONNACK accepting a fresh subscriber", a -> a.reasonCode() == 0,
                () -> sub.send(new Connect(v, tag + "-sub", true, 0, null, null, null, null)));
        expect(sub, SubAck.class, "SUBACK granting QoS 1", a -> a.packetId() == 1 && a.reasonCodes().equals(List.of(1)),
                () -> sub.send(new Subscribe(1, List.of(new Subscription("fuzzcheck/" + tag + "/+", 1, false, false,
                        0)), null)));
        Client pub = open(v);
        expect(pub, ConnAck.class, "CONNACK accepting a fresh publisher", a -> a.reasonCode() == 0,
                () -> pub.send(new Connect(v, tag + "-pub", true, 0, null, null, null, null)));
        byte[] payload = (tag + " still works").getBytes(StandardCharsets.UTF_8);
        expect(pub, PubReply.class, "PUBACK for the check message",
                a -> a.type() == PacketType.PUBACK && a.packetId() == 7 && a.reasonCode() == 0,
                () -> pub.send(new Publish(topic, 1, false, false, 7, payload, null)));
        expect(sub, Publish.class, "the check message delivered",
                p -> p.topic().equals(topic) && Arrays.equals(p.payload(), payload), () -> { });
    }

    /**
     * Runs {@code action}, then looks for the expected packet among what the client got (a retained
     * message the input left on a matching topic may come first).
     */
    private static <T> void expect(Client client, Class<T> type, String what, java.util.function.Predicate<T> ok,
                                   Runnable action) {
        action.run();
        List<MqttMessage> seen = new ArrayList<>();
        for (MqttMessage m = client.poll(); m != null; m = client.poll()) {
            if (type.isInstance(m) && ok.test(type.cast(m))) {
                return;
            }
            seen.add(m);
        }
        throw new AssertionError("broker unusable after the input: expected " + what + ", got " + seen);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Client c : clients) {
            c.channel.finishAndReleaseAll();
            c.closeView();
        }
        alloc.unreleased();
        store.close();
    }

    /** One connection; what the broker writes to it is decoded as its client would. */
    final class Client {
        final EmbeddedChannel channel;
        final ProtocolVersion version;
        /** The client's side of the wire: decodes what the broker sent, with the same decoder. */
        private final EmbeddedChannel view;
        private final List<MqttMessage> received = new ArrayList<>();

        Client(EmbeddedChannel channel, ProtocolVersion version) {
            this.channel = channel;
            this.version = version;
            this.view = new EmbeddedChannel(new MqttDecoder(MqttCodec.MAX_PACKET_SIZE));
            view.attr(MqttCodec.PROTOCOL_VERSION).set(version);
        }

        /** Sends a well-formed packet (encoded by the broker's own codec). */
        void send(MqttMessage message) {
            ByteBuf bytes = MqttCodec.encode(message, version, alloc);
            channel.writeInbound(bytes);
            channel.checkException();
            settle();
        }

        /** Sends raw bytes, as they come. */
        void sendRaw(byte[] bytes, int from, int length) {
            ByteBuf buf = alloc.buffer(length);
            buf.writeBytes(bytes, from, length);
            channel.writeInbound(buf);
            channel.checkException();
            settle();
        }

        /** The next packet the broker sent this client, or null. */
        MqttMessage poll() {
            settle();
            return received.isEmpty() ? null : received.remove(0);
        }

        /**
         * Moves what the broker wrote into the client's decoder: a failure there is a broker bug (it
         * sent a packet its peer must treat as malformed). Keeps at most a few decoded packets.
         */
        void verifyOutbound() {
            for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
                if (!(out instanceof ByteBuf buf)) {
                    io.netty.util.ReferenceCountUtil.release(out);
                    throw new AssertionError("broker wrote a " + out.getClass().getName() + ", not bytes");
                }
                view.writeInbound(buf);
                view.checkException();
                for (Object m = view.readInbound(); m != null; m = view.readInbound()) {
                    if (m instanceof DecodeFailure f) {
                        throw new AssertionError("broker sent a " + version + " client a packet it cannot decode: "
                                + f);
                    }
                    if (received.size() < 64) {
                        received.add((MqttMessage) m);
                    }
                }
            }
        }

        /**
         * Once every task has run, nothing may sit written but unflushed: it would reach the client
         * only with some later, unrelated flush (or be dropped by a close).
         */
        void assertNothingUnflushed() {
            io.netty.channel.ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
            if (out != null && out.totalPendingWriteBytes() > 0) {
                throw new AssertionError("broker left " + out.totalPendingWriteBytes()
                        + " bytes written but not flushed on a " + version + " connection");
            }
        }

        void closeView() {
            view.finishAndReleaseAll();
        }
    }
}
