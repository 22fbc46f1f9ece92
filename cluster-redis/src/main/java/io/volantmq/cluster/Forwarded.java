package io.volantmq.cluster;

import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.persistence.StoredMessage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A message on its way between nodes: {@code msgId} (origin node, incarnation, seq) for dedupe, the
 * publishing client, and {@code covered}: the nodes it was sent to, so a node that receives it on a
 * stale route can pass it on to nodes that did not get it, never to one that did; {@code shares}: the
 * node the publishing node chose for each share group (group/filter), so each group gets it once;
 * {@code notReached}: sessions the publishing node was taking over and had not loaded yet when it routed the
 * message locally (it did not deliver it to them; see {@link Inbox}).
 */
record Forwarded(String msgId, String originClientId, Publish publish, Set<String> covered,
                 Map<String, String> shares, Set<String> notReached) {

    Forwarded(String msgId, String originClientId, Publish publish, Set<String> covered) {
        this(msgId, originClientId, publish, covered, Map.of());
    }

    Forwarded(String msgId, String originClientId, Publish publish, Set<String> covered, Map<String, String> shares) {
        this(msgId, originClientId, publish, covered, shares, Set.of());
    }

    /**
     * A copy sent on for share groups only ({@link RedisCluster#reshare}): its id is
     * "hops|node|group|" + the id it was made from; an original id has no '|' (not allowed in node names).
     */
    boolean sharesOnly() {
        return msgId.indexOf('|') >= 0;
    }

    /** How many times a share-group copy was passed on; 0 for an original. */
    int hops() {
        return sharesOnly() ? Integer.parseInt(msgId.substring(0, msgId.indexOf('|'))) : 0;
    }

    /** For the trace: the id and the start of the payload (the fault tests' payloads name publisher and number). */
    String describe() {
        String text = new String(publish.payload(), 0, Math.min(publish.payload().length, 40),
                java.nio.charset.StandardCharsets.UTF_8);
        return msgId + " '" + text + "'";
    }

    String encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + publish.payload().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(msgId);
            out.writeUTF(originClientId == null ? "" : originClientId);
            out.writeUTF(publish.topic());
            out.writeByte(publish.qos());
            out.writeBoolean(publish.retain());
            writeBytes(out, publish.payload());
            writeBytes(out, MqttCodec.encodeProperties(publish.properties()));
            out.writeUTF(String.join(",", covered));
            out.writeInt(shares.size()); // last: an entry written before shares existed decodes as none
            for (Map.Entry<String, String> share : shares.entrySet()) {
                out.writeUTF(share.getKey());
                out.writeUTF(share.getValue());
            }
            out.writeInt(notReached.size()); // after shares: an earlier node reads none and ignores it
            for (String client : notReached) {
                out.writeUTF(client);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static Forwarded decode(String text) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(text)))) {
            String msgId = in.readUTF();
            String origin = in.readUTF();
            String topic = in.readUTF();
            int qos = in.readByte();
            boolean retain = in.readBoolean();
            byte[] payload = readBytes(in);
            byte[] properties = readBytes(in);
            String covered = in.readUTF();
            Map<String, String> shares = new HashMap<>();
            if (in.available() > 0) {
                int count = in.readInt();
                for (int i = 0; i < count; i++) {
                    shares.put(in.readUTF(), in.readUTF());
                }
            }
            Set<String> notReached = new java.util.HashSet<>();
            if (in.available() > 0) {
                int count = in.readInt();
                for (int i = 0; i < count; i++) {
                    notReached.add(in.readUTF());
                }
            }
            Properties props = properties.length == 0 ? Properties.EMPTY : MqttCodec.decodeProperties(properties);
            return new Forwarded(msgId, origin.isEmpty() ? null : origin,
                    new Publish(topic, qos, retain, false, 0, payload, props),
                    covered.isEmpty() ? Set.of() : Set.copyOf(java.util.Arrays.asList(covered.split(","))), shares, notReached);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a forwarded message: " + e.getMessage(), e);
        }
    }

    /** A will as the registry keeps it: the stored message and its delay. */
    static String encodeWill(StoredMessage will, long delaySeconds) {
        if (will == null) {
            return "";
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(will.topic());
            out.writeByte(will.qos());
            out.writeBoolean(will.retain());
            writeBytes(out, will.payload());
            writeBytes(out, will.properties());
            out.writeLong(will.createdAtMillis());
            out.writeLong(will.expiresAtMillis());
            out.writeLong(delaySeconds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    record Will(StoredMessage message, long delaySeconds) {
    }

    static Will decodeWill(String text) throws IOException {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(text)))) {
            String topic = in.readUTF();
            int qos = in.readByte();
            boolean retain = in.readBoolean();
            byte[] payload = readBytes(in);
            byte[] properties = readBytes(in);
            long created = in.readLong();
            long expires = in.readLong();
            long delay = in.readLong();
            return new Will(new StoredMessage(topic, qos, retain, payload, properties, created, expires), delay);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a will: " + e.getMessage(), e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 268_435_455) {
            throw new IOException("bad length " + length);
        }
        return in.readNBytes(length);
    }
}
