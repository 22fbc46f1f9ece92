package io.volantmq.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Subscribers that connect, subscribe at QoS 0 and then never read (--stalled): a slow consumer beside
 * the measured subscribers, whose throughput should not suffer for it. Plain blocking sockets with a
 * small receive buffer, outside the tool's event loops and statistics; closed when the run ends.
 */
final class StalledSubscribers implements AutoCloseable {
    private static final int RECEIVE_BUFFER = 4096;
    private final List<Socket> sockets = new ArrayList<>();

    private StalledSubscribers() {
    }

    static StalledSubscribers open(BenchConfig config, String topic, String runId) {
        StalledSubscribers stalled = new StalledSubscribers();
        try {
            for (int i = 0; i < config.stalled(); i++) {
                stalled.sockets.add(subscribe(config, topic, "b" + runId + "-stalled" + i));
            }
        } catch (IOException e) {
            stalled.close();
            throw new UncheckedIOException("a stalled subscriber could not subscribe", e);
        }
        return stalled;
    }

    private static Socket subscribe(BenchConfig config, String topic, String clientId) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(RECEIVE_BUFFER); // before connecting: the TCP window stays small
        socket.connect(new InetSocketAddress(config.host(), config.port()), 10_000);
        socket.setSoTimeout(10_000);
        ProtocolVersion version = config.protocol();
        send(socket, new Connect(version, clientId, true, 0, null, null, null, null), version);
        skipPacket(socket); // CONNACK
        send(socket, new Subscribe(1, List.of(Subscription.of(topic, 0)), null), version);
        skipPacket(socket); // SUBACK; from here on nothing is read
        return socket;
    }

    private static void send(Socket socket, MqttMessage message, ProtocolVersion version) throws IOException {
        ByteBuf buf = MqttCodec.encode(message, version, ByteBufAllocator.DEFAULT);
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            socket.getOutputStream().write(bytes);
        } finally {
            buf.release();
        }
    }

    private static void skipPacket(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        in.readUnsignedByte();
        int remaining = 0;
        int multiplier = 1;
        int b;
        do {
            b = in.readUnsignedByte();
            remaining += (b & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((b & 0x80) != 0);
        in.readFully(new byte[remaining]);
    }

    @Override
    public void close() {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing at the end of the run: nothing to do about it
            }
        }
    }
}
