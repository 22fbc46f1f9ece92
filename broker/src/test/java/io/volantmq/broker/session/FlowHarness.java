package io.volantmq.broker.session;

import io.volantmq.broker.BrokerContext;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.BrokerEvents;
import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.Authenticator;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.codec.MqttEncoder;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.memory.MemoryProvider;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker core wired by hand over the real memory store, with connections as Netty
 * {@link EmbeddedChannel}s running the real codec and connection handler. No sockets, no threads:
 * every hop between event loops is a pending task that {@link #settle()} runs.
 */
final class FlowHarness implements AutoCloseable {
    final BrokerContext broker;
    final Store store;
    private final List<Client> clients = new ArrayList<>();

    FlowHarness() {
        this(b -> { });
    }

    FlowHarness(Consumer<BrokerConfig.Builder> settings) {
        this(settings, memory -> memory);
    }

    /** Over {@code wrap} of the memory store (a counting view, say). */
    FlowHarness(Consumer<BrokerConfig.Builder> settings, java.util.function.UnaryOperator<Store> wrap) {
        BrokerConfig.Builder builder = BrokerConfig.builder();
        settings.accept(builder);
        store = wrap.apply(new MemoryProvider().open(new ProviderConfig("memory", Map.of())));
        broker = BrokerContext.wire(builder.build(), store, AccessControl.ALLOW_ALL, java.util.List.of(),
                io.volantmq.broker.metrics.BrokerMetrics.noop(), BrokerEvents.NONE);
    }

    /** A connected client (CONNECT sent, CONNACK received and checked for success). */
    Client connect(String clientId, boolean cleanSession) {
        Client client = open();
        ConnAck connAck = client.connect(clientId, cleanSession);
        assertThat(connAck.reasonCode()).isZero();
        return client;
    }

    Client open() {
        ListenerContext listener = new ListenerContext(URI.create("tcp://127.0.0.1:1883"), Authenticator.ALLOW_ALL,
                broker.config().maxPacketSize());
        EmbeddedChannel channel = new EmbeddedChannel(MqttDecoder.forBroker(broker.config().maxPacketSize()),
                MqttEncoder.INSTANCE, new MqttConnection(broker, listener));
        Client client = new Client(channel);
        clients.add(client);
        return client;
    }

    /** Runs every pending task on every channel until none is left (cross-loop hops, flushes). */
    void settle() {
        for (int round = 0; round < 100; round++) {
            boolean ran = false;
            for (Client c : clients) {
                if (c.channel.isOpen() || c.channel.isRegistered()) {
                    c.channel.runPendingTasks();
                    ran |= c.channel.hasPendingTasks();
                }
            }
            if (!ran) {
                return;
            }
        }
    }

    @Override
    public void close() {
        for (Client c : clients) {
            c.channel.finishAndReleaseAll();
        }
        store.close();
    }

    final class Client {
        final EmbeddedChannel channel;
        private ProtocolVersion version = ProtocolVersion.MQTT_3_1_1;

        Client(EmbeddedChannel channel) {
            this.channel = channel;
        }

        ConnAck connect(String clientId, boolean cleanSession) {
            send(new Connect(version, clientId, cleanSession, 0, null, null, null, null));
            MqttMessage reply = receive();
            assertThat(reply).isInstanceOf(ConnAck.class);
            return (ConnAck) reply;
        }

        void send(MqttMessage message) {
            ByteBuf bytes = MqttCodec.encode(message, version, ByteBufAllocator.DEFAULT);
            channel.writeInbound(bytes);
            settle();
        }

        /** The next packet the broker sent, or null. */
        MqttMessage poll() {
            settle();
            ByteBuf out = channel.readOutbound();
            if (out == null) {
                return null;
            }
            try {
                return MqttCodec.decode(out, version);
            } finally {
                out.release();
            }
        }

        MqttMessage receive() {
            MqttMessage message = poll();
            assertThat(message).as("a packet from the broker").isNotNull();
            return message;
        }

        List<MqttMessage> drain() {
            List<MqttMessage> all = new ArrayList<>();
            for (MqttMessage m = poll(); m != null; m = poll()) {
                all.add(m);
            }
            return all;
        }

        /** Drops the connection without DISCONNECT. */
        void drop() {
            channel.close();
            settle();
        }

        boolean isOpen() {
            settle();
            return channel.isOpen();
        }
    }
}
