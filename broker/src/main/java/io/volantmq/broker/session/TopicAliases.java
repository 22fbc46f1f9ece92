package io.volantmq.broker.session;

import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.Publish;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The topic aliases the broker sends on one network connection (MQTT 5 3.3.2.3.4): the most recently
 * used topics, each with a number from 1 to the maximum. The first PUBLISH of a topic carries the
 * topic and its new alias; later ones an empty topic and the alias; when all numbers are taken, the
 * least recently used topic gives its number up and the next topic re-maps it (topic and alias again).
 * Mappings live and die with the connection, so a new connection starts with an empty table.
 * Confined to the connection's event loop; a PUBLISH passes here in the order it goes on the wire.
 */
final class TopicAliases {
    private final int maximum;
    /** topic -> alias, in access order: the eldest is the least recently used. */
    private final LinkedHashMap<String, Integer> byTopic = new LinkedHashMap<>(16, 0.75f, true);

    /** @param maximum the client's Topic Alias Maximum, capped by the broker [MQTT-3.1.2-26] */
    TopicAliases(int maximum) {
        if (maximum < 1) {
            throw new IllegalArgumentException("topic alias maximum must be at least 1: " + maximum);
        }
        this.maximum = maximum;
    }

    /**
     * The PUBLISH to write instead of {@code publish}: with an alias when one applies and the result
     * still {@code fits} the client (its Maximum Packet Size), else {@code publish} unchanged and the
     * table untouched. A re-sent message (DUP) keeps its full topic and gets no alias: the client
     * may hold it from an earlier connection whose mappings are gone.
     */
    Publish apply(Publish publish, Predicate<Publish> fits) {
        if (publish.dup() || publish.topic().isEmpty()) {
            return publish;
        }
        Integer known = byTopic.get(publish.topic()); // marks it most recently used
        if (known != null) {
            Publish aliased = withAlias(publish, "", known);
            return fits.test(aliased) ? aliased : publish;
        }
        int alias;
        String evicted = null;
        if (byTopic.size() < maximum) {
            alias = byTopic.size() + 1;
        } else {
            Iterator<Map.Entry<String, Integer>> eldest = byTopic.entrySet().iterator();
            Map.Entry<String, Integer> lru = eldest.next();
            evicted = lru.getKey();
            alias = lru.getValue();
        }
        Publish mapping = withAlias(publish, publish.topic(), alias);
        if (!fits.test(mapping)) {
            return publish;
        }
        if (evicted != null) {
            byTopic.remove(evicted);
        }
        byTopic.put(publish.topic(), alias);
        return mapping;
    }

    int size() {
        return byTopic.size();
    }

    private static Publish withAlias(Publish publish, String topic, int alias) {
        return new Publish(topic, publish.qos(), publish.retain(), publish.dup(), publish.packetId(),
                publish.payload(), publish.properties().with(PropertyId.TOPIC_ALIAS, alias));
    }
}
