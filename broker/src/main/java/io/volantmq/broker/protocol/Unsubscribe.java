package io.volantmq.broker.protocol;

import java.util.List;

/** UNSUBSCRIBE: at least one filter. */
public record Unsubscribe(int packetId, List<String> filters, Properties properties) implements MqttMessage {
    public Unsubscribe {
        filters = List.copyOf(filters);
        properties = properties == null ? Properties.EMPTY : properties;
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBSCRIBE;
    }
}
