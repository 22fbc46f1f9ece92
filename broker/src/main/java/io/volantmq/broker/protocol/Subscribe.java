package io.volantmq.broker.protocol;

import java.util.List;

/** SUBSCRIBE: at least one filter. */
public record Subscribe(int packetId, List<Subscription> subscriptions, Properties properties) implements MqttMessage {
    public Subscribe {
        subscriptions = List.copyOf(subscriptions);
        properties = properties == null ? Properties.EMPTY : properties;
    }

    @Override
    public PacketType type() {
        return PacketType.SUBSCRIBE;
    }
}
