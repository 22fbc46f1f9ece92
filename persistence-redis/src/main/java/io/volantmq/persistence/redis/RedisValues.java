package io.volantmq.persistence.redis;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Binary values of the key space. Each starts with a format byte so a later layout can be told
 * apart; a value that cannot be decoded raises {@link IOException}, which the domains log and skip.
 */
final class RedisCodec {
    private static final int FORMAT = 1;
    private static final int SESSION_WITH_OWNER = 2;

    private RedisCodec() {
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static byte[] encode(StoredMessage message) {
        return write(out -> writeMessage(out, message));
    }

    static StoredMessage decodeMessage(byte[] bytes) throws IOException {
        DataInputStream in = reader(bytes);
        StoredMessage message = readMessage(in);
        end(in);
        return message;
    }

    /**
     * Format 1 without owner (as every session written before owners existed, which older code
     * reads), format 2 with the owner at the end.
     */
    static byte[] encode(SessionState state) {
        return write(state.owner() == null ? FORMAT : SESSION_WITH_OWNER, out -> {
            writeText(out, state.clientId());
            out.writeInt(state.protocolVersion());
            out.writeLong(state.expiryIntervalSeconds());
            out.writeLong(state.disconnectedAtMillis());
            out.writeLong(state.willDelaySeconds());
            out.writeBoolean(state.will() != null);
            if (state.will() != null) {
                writeMessage(out, state.will());
            }
            if (state.owner() != null) {
                writeText(out, state.owner());
            }
        });
    }

    static SessionState decodeSession(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int format = in.readUnsignedByte();
        if (format != FORMAT && format != SESSION_WITH_OWNER) {
            throw new IOException("unknown session format " + format);
        }
        String clientId = readText(in);
        int protocolVersion = in.readInt();
        long expiry = in.readLong();
        long disconnectedAt = in.readLong();
        long willDelay = in.readLong();
        StoredMessage will = in.readBoolean() ? readMessage(in) : null;
        String owner = format == SESSION_WITH_OWNER ? readText(in) : null;
        end(in);
        return new SessionState(clientId, protocolVersion, expiry, disconnectedAt, will, willDelay, owner);
    }

    static byte[] encode(StoredSubscription s) {
        return write(out -> {
            writeText(out, s.filter());
            out.writeByte(s.qos());
            out.writeBoolean(s.noLocal());
            out.writeBoolean(s.retainAsPublished());
            out.writeByte(s.retainHandling());
            out.writeInt(s.subscriptionId());
        });
    }

    static StoredSubscription decodeSubscription(byte[] bytes) throws IOException {
        DataInputStream in = reader(bytes);
        StoredSubscription s = new StoredSubscription(readText(in), in.readByte(), in.readBoolean(), in.readBoolean(),
                in.readByte(), in.readInt());
        end(in);
        return s;
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Writer writer) {
        return write(FORMAT, writer);
    }

    private static byte[] write(int format, Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(format);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    private static DataInputStream reader(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("unknown value format " + format);
        }
        return in;
    }

    private static void end(DataInputStream in) throws IOException {
        if (in.available() != 0) {
            throw new IOException(in.available() + " unexpected trailing bytes");
        }
    }

    private static void writeMessage(DataOutputStream out, StoredMessage m) throws IOException {
        writeText(out, m.topic());
        out.writeByte(m.qos());
        out.writeBoolean(m.retain());
        writeBytes(out, m.payload());
        writeBytes(out, m.properties());
        out.writeLong(m.createdAtMillis());
        out.writeLong(m.expiresAtMillis());
    }

    private static StoredMessage readMessage(DataInputStream in) throws IOException {
        return new StoredMessage(readText(in), in.readByte(), in.readBoolean(), readBytes(in), readBytes(in),
                in.readLong(), in.readLong());
    }

    // not writeUTF: that is modified UTF-8 and stops at 65535 bytes
    private static void writeText(DataOutputStream out, String text) throws IOException {
        writeBytes(out, utf8(text));
    }

    private static String readText(DataInputStream in) throws IOException {
        return text(readBytes(in));
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > in.available()) {
            throw new IOException("bad length " + length);
        }
        return in.readNBytes(length);
    }
}
