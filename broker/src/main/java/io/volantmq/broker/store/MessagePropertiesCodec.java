package io.volantmq.broker.store;

import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;

import java.util.List;

/**
 * Turns a received PUBLISH into what is stored and forwarded, and back. The properties that belong
 * to the message (MQTT 5 3.3.2.3) travel as an opaque encoded blob in {@link StoredMessage}; the
 * per-hop ones (topic alias, subscription identifiers) are stripped and set per subscriber.
 */
public final class MessagePropertiesCodec {

    public StoredMessage toStored(Publish publish, long nowMillis) {
        Properties properties = messageProperties(publish.properties());
        Long expiry = properties.getLong(PropertyId.MESSAGE_EXPIRY_INTERVAL);
        long expiresAt = expiry == null ? 0 : nowMillis + expiry * 1000L;
        byte[] blob = properties.isEmpty() ? null : MqttCodec.encodeProperties(properties);
        return new StoredMessage(publish.topic(), publish.qos(), publish.retain(), publish.payload(), blob, nowMillis,
                expiresAt);
    }

    /** A QoS 0 copy of a received PUBLISH for one subscriber. */
    public Publish forDelivery(Publish publish, boolean retain, List<Integer> subscriptionIds) {
        Properties properties = withSubscriptionIds(messageProperties(publish.properties()), subscriptionIds);
        return new Publish(publish.topic(), 0, retain, false, 0, publish.payload(), properties);
    }

    /** The PUBLISH for a queued entry, with the remaining message expiry [MQTT-3.3.2-6]. */
    public Publish toPublish(QueuedMessage entry, int qos, int packetId, boolean dup, boolean retain, long nowMillis) {
        StoredMessage message = entry.message();
        Properties properties = message.properties().length == 0 ? Properties.EMPTY
                : MqttCodec.decodeProperties(message.properties());
        if (message.expiresAtMillis() != 0) {
            long remaining = Math.max(0, (message.expiresAtMillis() - nowMillis + 999) / 1000);
            properties = properties.with(PropertyId.MESSAGE_EXPIRY_INTERVAL, remaining);
        }
        properties = withSubscriptionIds(properties, entry.subscriptionIds());
        return new Publish(message.topic(), qos, retain, dup, packetId, message.payload(), properties);
    }

    /** A retained message delivered on subscribe, with retain set [MQTT-3.3.1-8]. */
    public Publish retainedForDelivery(StoredMessage message, int qos, List<Integer> subscriptionIds, long nowMillis) {
        QueuedMessage entry = new QueuedMessage(0, message, qos, true, subscriptionIds, 0, null);
        return toPublish(entry, qos, 0, false, true, nowMillis);
    }

    private static Properties messageProperties(Properties properties) {
        if (properties.isEmpty()) {
            return properties;
        }
        return properties.without(PropertyId.TOPIC_ALIAS).without(PropertyId.SUBSCRIPTION_IDENTIFIER);
    }

    private static Properties withSubscriptionIds(Properties properties, List<Integer> subscriptionIds) {
        if (subscriptionIds.isEmpty()) {
            return properties;
        }
        Properties.Builder builder = Properties.builder();
        properties.asList().forEach(p -> builder.add(p.id(), p.value()));
        subscriptionIds.forEach(id -> builder.add(PropertyId.SUBSCRIPTION_IDENTIFIER, id));
        return builder.build();
    }
}
