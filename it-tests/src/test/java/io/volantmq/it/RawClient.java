package io.volantmq.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.ConnAck;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.ProtocolVersion;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A byte-exact MQTT client over a plain socket, using the project's codec: for what real client
 * libraries will not send (malformed packets, protocol violations, abrupt closes).
 */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private ProtocolVersion version = ProtocolVersion.MQTT_3_1_1;

    RawClient(int port) throws IOException {
        this(port, 0);
    }

    /** With a small socket receive buffer ({@code receiveBuffer} bytes, 0: the default): for clients that stop reading. */
    RawClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer); // before connecting, so the TCP window is small
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sets the version packets are encoded and decoded with, for CONNECTs sent with {@link #sendRaw}. */
    void setVersion(ProtocolVersion version) {
        this.version = version;
    }

    ConnAck connect(Connect connect) throws IOException {
        version = connect.version();
        send(connect);
        MqttMessage reply = receive();
        if (!(reply instanceof ConnAck connAck)) {
            throw new AssertionError("expected CONNACK, got " + reply);
        }
        return connAck;
    }

    void send(MqttMessage message) throws IOException {
        if (message instanceof Connect c) {
            version = c.version();
        }
        ByteBuf buf = MqttCodec.encode(message, version, ByteBufAllocator.DEFAULT);
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            sendRaw(bytes);
        } finally {
            buf.release();
        }
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next packet, or an AssertionError when none comes within the socket timeout. */
    MqttMessage receive() throws IOException {
        MqttMessage message = receiveOrNull(socket.getSoTimeout());
        if (message == null) {
            throw new AssertionError("no packet within " + socket.getSoTimeout() + " ms");
        }
        return message;
    }

    /** The next packet within {@code timeoutMillis}, or null. Throws EOFException when the broker closed. */
    MqttMessage receiveOrNull(int timeoutMillis) throws IOException {
        int saved = socket.getSoTimeout();
        socket.setSoTimeout(timeoutMillis);
        try {
            int first = in.read();
            if (first < 0) {
                throw new EOFException("connection closed by broker");
            }
            socket.setSoTimeout(5000);
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(first);
            int remaining = 0;
            int multiplier = 1;
            int b;
            do {
                b = in.readUnsignedByte();
                frame.write(b);
                remaining += (b & 0x7F) * multiplier;
                multiplier *= 128;
            } while ((b & 0x80) != 0);
            byte[] body = new byte[remaining];
            in.readFully(body);
            frame.write(body);
            return MqttCodec.decode(Unpooled.wrappedBuffer(frame.toByteArray()), version);
        } catch (SocketTimeoutException e) {
            return null;
        } finally {
            socket.setSoTimeout(saved);
        }
    }

    /** True when the broker closes the connection within {@code timeoutMillis} (packets before it are skipped). */
    boolean closedWithin(int timeoutMillis) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        try {
            while (System.currentTimeMillis() < deadline) {
                int left = (int) Math.max(1, deadline - System.currentTimeMillis());
                receiveOrNull(left);
            }
            return false;
        } catch (EOFException | java.net.SocketException e) {
            return true;
        }
    }

    /** Drops the TCP connection without DISCONNECT, like a device losing power (RST). */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
