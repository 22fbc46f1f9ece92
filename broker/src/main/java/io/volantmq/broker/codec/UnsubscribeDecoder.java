package io.volantmq.broker.codec;

import io.netty.buffer.ByteBuf;
import io.volantmq.broker.protocol.PacketType;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Unsubscribe;

import java.util.ArrayList;
import java.util.List;

/** UNSUBSCRIBE (spec 3.10). Filters are only checked to be well-formed, non-empty UTF-8, as in SUBSCRIBE. */
final class UnsubscribeDecoder {
    private UnsubscribeDecoder() {
    }

    static Unsubscribe decode(ByteBuf body, ProtocolVersion version) {
        MqttReader reader = new MqttReader(body, PacketType.UNSUBSCRIBE, version);
        int packetId = reader.readPacketId();
        Properties properties = version.isV5() ? PropertiesDecoder.read(reader) : Properties.EMPTY;
        List<String> filters = new ArrayList<>();
        while (reader.hasRemaining()) {
            String filter = reader.readUtf8("topic filter");
            if (filter.isEmpty()) {
                throw reader.malformed("UNSUBSCRIBE with an empty topic filter [MQTT-4.7.3-1]");
            }
            filters.add(filter);
        }
        if (filters.isEmpty()) {
            throw reader.malformed("UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]");
        }
        return new Unsubscribe(packetId, filters, properties);
    }
}
