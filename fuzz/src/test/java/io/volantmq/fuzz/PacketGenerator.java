package io.volantmq.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;
import io.volantmq.broker.protocol.Unsubscribe;
import io.volantmq.broker.protocol.Will;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds packets from fuzzer data. Most values come from small sets (client ids, topic levels, packet
 * ids) so that different clients and packets of one input refer to the same things; some are free
 * strings and bytes. Values the codec refuses to encode just skip the step.
 */
final class PacketGenerator {
    private static final String[] CLIENT_IDS = {"c0", "c1", "c2", "", "watcher"};
    private static final String[] LEVELS = {"a", "b", "+", "#", "", "$SYS", "x y", "sport", "\u00e9"};
    private static final int[] REASON_CODES = {0x00, 0x04, 0x10, 0x18, 0x19, 0x80, 0x81, 0x82, 0x87, 0x8E, 0x97};
    /** Checks the encoding alone: heap buffers outside the leak detector, released at once. */
    private static final ByteBufAllocator PLAIN = new UnpooledByteBufAllocator(false, true);

    private final FuzzedDataProvider data;

    PacketGenerator(FuzzedDataProvider data) {
        this.data = data;
    }

    /** Sends a packet the codec can encode in the client's version; skips one it refuses. */
    void send(EmbeddedBroker.Client client, MqttMessage message) {
        ProtocolVersion v = message instanceof Connect c ? c.version() : client.version;
        ByteBuf probe;
        try {
            probe = MqttCodec.encode(message, v, PLAIN);
        } catch (IllegalArgumentException refused) {
            return; // not expressible on the wire in this version (e.g. AUTH before 5.0)
        }
        probe.release();
        client.send(message);
    }

    Connect connect(ProtocolVersion v) {
        String id = data.consumeInt(0, 7) == 0 ? data.consumeString(30) : data.pickValue(CLIENT_IDS);
        boolean clean = data.consumeBoolean();
        int keepAlive = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 65535) : data.consumeInt(0, 60);
        String user = data.consumeBoolean() ? data.pickValue(CLIENT_IDS) : null;
        byte[] password = data.consumeBoolean() ? data.consumeBytes(8) : null;
        Will will = data.consumeBoolean()
                ? new Will(topic(), data.consumeBytes(16), data.consumeInt(0, 2), data.consumeBoolean(),
                properties(v, null))
                : null;
        return new Connect(v, id, clean, keepAlive, user, password, will, properties(v, PacketType.CONNECT));
    }

    Publish publish(ProtocolVersion v) {
        int qos = data.consumeInt(0, 2);
        return new Publish(topic(), qos, data.consumeBoolean(), data.consumeBoolean(), qos == 0 ? 0 : packetId(),
                data.consumeBytes(data.consumeInt(0, 64)), properties(v, PacketType.PUBLISH));
    }

    Subscribe subscribe(ProtocolVersion v) {
        List<Subscription> subs = new ArrayList<>();
        int n = data.consumeInt(1, 3);
        for (int i = 0; i < n; i++) {
            subs.add(new Subscription(filter(), data.consumeInt(0, 2), data.consumeBoolean(), data.consumeBoolean(),
                    data.consumeInt(0, 2)));
        }
        return new Subscribe(packetId(), subs, properties(v, PacketType.SUBSCRIBE));
    }

    Unsubscribe unsubscribe(ProtocolVersion v) {
        List<String> filters = new ArrayList<>();
        int n = data.consumeInt(1, 3);
        for (int i = 0; i < n; i++) {
            filters.add(filter());
        }
        return new Unsubscribe(packetId(), filters, properties(v, PacketType.UNSUBSCRIBE));
    }

    int packetId() {
        return data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 65535) : data.consumeInt(1, 4);
    }

    int reasonCode() {
        return data.consumeInt(0, 7) == 0 ? data.consumeInt(0, 255) : data.pickValue(REASON_CODES);
    }

    private String topic() {
        if (data.consumeInt(0, 7) == 0) {
            return data.consumeString(24);
        }
        StringBuilder sb = new StringBuilder();
        int levels = data.consumeInt(1, 4);
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                sb.append('/');
            }
            String level = data.pickValue(LEVELS);
            sb.append(level.equals("+") || level.equals("#") ? "a" : level);
        }
        return sb.toString();
    }

    private String filter() {
        if (data.consumeInt(0, 7) == 0) {
            return data.consumeString(24);
        }
        StringBuilder sb = new StringBuilder(data.consumeInt(0, 5) == 0 ? "$share/g/" : "");
        int levels = data.consumeInt(1, 4);
        for (int i = 0; i < levels; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(data.pickValue(LEVELS));
        }
        return sb.toString();
    }

    /**
     * Up to three MQTT 5 properties, mostly of those the packet may carry ({@code type} null: a will);
     * none before 5.0.
     */
    Properties properties(ProtocolVersion v, PacketType type) {
        if (!v.isV5() || data.consumeInt(0, 2) == 0) {
            return Properties.EMPTY;
        }
        Properties.Builder b = Properties.builder();
        int n = data.consumeInt(1, 3);
        for (int i = 0; i < n; i++) {
            PropertyId id = data.pickValue(PropertyId.values());
            boolean allowed = type == null ? id.allowedInWill() : id.allowedIn(type);
            if (!allowed && data.consumeInt(0, 7) != 0) {
                continue;
            }
            b.add(id, value(id));
        }
        return b.build();
    }

    private Object value(PropertyId id) {
        return switch (id.type()) {
            case BYTE -> data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 255) : data.consumeInt(0, 1);
            case TWO_BYTE -> data.consumeInt(0, 65535);
            case FOUR_BYTE -> data.consumeLong(0, 0xFFFF_FFFFL);
            case VARINT -> data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 268_435_455) : data.consumeInt(0, 4);
            case UTF8 -> data.consumeString(16);
            case BINARY -> data.consumeBytes(16);
            case UTF8_PAIR -> new StringPair(data.consumeString(8), data.consumeString(8));
        };
    }
}
