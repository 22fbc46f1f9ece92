package io.volantmq.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A byte-exact RFC 6455 client over a plain socket, for what client libraries will not do: a handshake
 * without the MQTT subprotocol, a wrong path, MQTT packets cut across frames or several in one frame.
 */
final class WebSocketRawClient implements AutoCloseable {
    static final int BINARY = 0x2;
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();

    WebSocketRawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends the upgrade request; returns the response's status code (101 when upgraded). */
    int handshake(String path, String subprotocols) throws IOException {
        return handshake(path, subprotocols, "");
    }

    /** As {@link #handshake(String, String)}, with more header lines ({@code "Origin: x\r\n"}). */
    int handshake(String path, String subprotocols, String extraHeaders) throws IOException {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        StringBuilder request = new StringBuilder()
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n")
                .append(extraHeaders);
        if (subprotocols != null) {
            request.append("Sec-WebSocket-Protocol: ").append(subprotocols).append("\r\n");
        }
        request.append("\r\n");
        out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = readLine();
        String line;
        do {
            line = readLine();
        } while (!line.isEmpty());
        return Integer.parseInt(status.split(" ")[1]);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new java.io.EOFException("closed during the HTTP response");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** One masked frame, as a client must send it. */
    /** Writes bytes as they are, e.g. a frame header whose payload never follows. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void frame(int opcode, boolean fin, byte[] payload) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            f.write(0x80 | payload.length);
        } else {
            f.write(0x80 | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        f.write(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    /** The next frame's opcode and payload from the broker (unmasked). */
    record Frame(int opcode, byte[] payload) {
    }

    Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    /** Reads binary frames until {@code n} bytes of MQTT have arrived (packets may span frames). */
    byte[] readMqtt(int n) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (bytes.size() < n) {
            Frame f = read();
            if (f.opcode() != BINARY && f.opcode() != CONTINUATION) {
                throw new AssertionError("expected a binary frame, got opcode " + f.opcode());
            }
            bytes.write(f.payload());
        }
        return bytes.toByteArray();
    }

    /** True when the broker closes the TCP connection within {@code millis} (frames before it are skipped). */
    boolean closedWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            while (in.read() >= 0) {
                // drain
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
