package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Subscribe;
import io.volantmq.broker.protocol.Subscription;

import java.util.ArrayList;
import java.util.List;

/**
 * SUBSCRIBE (spec 3.8). Filters are only checked to be well-formed, non-empty UTF-8 here: filter
 * syntax is the broker's to judge, and it answers a bad filter with a SUBACK failure code, not a
 * disconnect.
 */
final class SubscribeDecoder {
    private SubscribeDecoder() {
    }

    static Subscribe decode(ByteBuf body, ProtocolVersion version) {
        MqttReader reader = new MqttReader(body, PacketType.SUBSCRIBE, version);
        int packetId = reader.readPacketId();
        Properties properties = version.isV5() ? PropertiesDecoder.read(reader) : Properties.EMPTY;
        List<Subscription> subscriptions = new ArrayList<>();
        while (reader.hasRemaining()) {
            String filter = reader.readUtf8("topic filter");
            if (filter.isEmpty()) {
                // not a syntax question left to the SUBACK: a zero-length string is no topic filter at all
                throw reader.malformed("SUBSCRIBE with an empty topic filter [MQTT-4.7.3-1]");
            }
            int options = reader.readByte("subscription options");
            subscriptions.add(version.isV5() ? v5Subscription(reader, filter, options)
                    : v3Subscription(reader, filter, options));
        }
        if (subscriptions.isEmpty()) {
            throw reader.malformed("SUBSCRIBE without a topic filter [MQTT-3.8.3-3]");
        }
        return new Subscribe(packetId, subscriptions, properties);
    }

    /** 3.x: requested QoS in bits 0-1, the rest reserved [MQTT-3-8.3-4] (3.1.1 numbering). */
    private static Subscription v3Subscription(MqttReader reader, String filter, int options) {
        if ((options & 0xFC) != 0) {
            throw reader.malformed("SUBSCRIBE with reserved option bits set for '" + filter + "' [MQTT-3-8.3-4]");
        }
        int qos = options & 0x03;
        if (qos == 3) {
            throw reader.malformed("SUBSCRIBE with requested QoS 3 for '" + filter + "' [MQTT-3-8.3-4]");
        }
        return Subscription.of(filter, qos);
    }

    /** 5.0: QoS bits 0-1, no local 2, retain as published 3, retain handling 4-5, reserved 6-7 (3.8.3.1). */
    private static Subscription v5Subscription(MqttReader reader, String filter, int options) {
        if ((options & 0xC0) != 0) {
            throw reader.malformed("SUBSCRIBE with reserved option bits set for '" + filter + "' [MQTT-3.8.3-5]");
        }
        int qos = options & 0x03;
        if (qos == 3) {
            throw reader.protocolError("SUBSCRIBE with maximum QoS 3 for '" + filter + "' (spec 3.8.3.1)");
        }
        int retainHandling = (options >>> 4) & 0x03;
        if (retainHandling == 3) {
            throw reader.protocolError("SUBSCRIBE with retain handling 3 for '" + filter + "' (spec 3.8.3.1)");
        }
        return new Subscription(filter, qos, (options & 0x04) != 0, (options & 0x08) != 0, retainHandling);
    }
}
