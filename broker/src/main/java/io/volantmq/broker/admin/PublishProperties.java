package io.volantmq.broker.admin;

import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.PropertyId;
import io.volantmq.broker.protocol.StringPair;
import io.volantmq.broker.protocol.Topics;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The MQTT 5 properties of a message published through {@code POST /api/publish}, from JSON:
 * <pre>
 *   "properties": {"payloadFormatIndicator": 0|1, "messageExpiryInterval": seconds, "contentType": "...",
 *                  "responseTopic": "a/b", "correlationData": "text",
 *                  "userProperties": [{"name": "k", "value": "v"}, ...]}
 * </pre>
 * Subscribers on MQTT 3.x get the message without them, as from any MQTT 5 publisher.
 */
final class PublishProperties {
    static final int MAX_USER_PROPERTIES = 64;
    private static final Set<String> FIELDS = Set.of("payloadFormatIndicator", "messageExpiryInterval",
            "contentType", "responseTopic", "correlationData", "userProperties");

    private PublishProperties() {
    }

    static Properties parse(Object value) {
        if (value == null) {
            return Properties.EMPTY;
        }
        if (!(value instanceof Map<?, ?> fields)) {
            throw AdminApi.badRequest("properties must be a JSON object");
        }
        Properties.Builder b = Properties.builder();
        for (Map.Entry<?, ?> e : fields.entrySet()) {
            String key = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (!FIELDS.contains(key)) {
                throw AdminApi.badRequest("unknown property '" + key + "'; known: " + FIELDS);
            }
            if (v == null) {
                continue;
            }
            switch (key) {
                case "payloadFormatIndicator" -> b.add(PropertyId.PAYLOAD_FORMAT_INDICATOR,
                        (int) number(key, v, 0, 1));
                case "messageExpiryInterval" -> b.add(PropertyId.MESSAGE_EXPIRY_INTERVAL,
                        number(key, v, 1, 0xFFFF_FFFFL));
                case "contentType" -> b.add(PropertyId.CONTENT_TYPE, text(key, v));
                case "responseTopic" -> {
                    String topic = text(key, v);
                    // [MQTT-3.3.2-14] the Response Topic is a topic name: no wildcards
                    if (topic.isEmpty() || !Topics.isValidTopicName(topic)) {
                        throw AdminApi.badRequest("responseTopic must be a topic name (no wildcards, not empty)");
                    }
                    b.add(PropertyId.RESPONSE_TOPIC, topic);
                }
                case "correlationData" -> b.add(PropertyId.CORRELATION_DATA,
                        text(key, v).getBytes(StandardCharsets.UTF_8));
                default -> userProperties(v, b);
            }
        }
        return b.build();
    }

    private static void userProperties(Object v, Properties.Builder b) {
        if (!(v instanceof List<?> list)) {
            throw AdminApi.badRequest("userProperties must be a list of {\"name\", \"value\"}");
        }
        if (list.size() > MAX_USER_PROPERTIES) {
            throw AdminApi.badRequest("at most " + MAX_USER_PROPERTIES + " userProperties");
        }
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> pair) || !(pair.get("name") instanceof String name)
                    || !(pair.get("value") instanceof String value) || pair.size() != 2) {
                throw AdminApi.badRequest("each user property is {\"name\": \"...\", \"value\": \"...\"}");
            }
            b.add(PropertyId.USER_PROPERTY, new StringPair(utf8(name), utf8(value)));
        }
    }

    private static long number(String key, Object v, long min, long max) {
        if (!(v instanceof Long n) || n < min || n > max) {
            throw AdminApi.badRequest(key + " must be a whole number in " + min + ".." + max);
        }
        return n;
    }

    private static String text(String key, Object v) {
        if (!(v instanceof String s)) {
            throw AdminApi.badRequest(key + " must be a string");
        }
        return utf8(s);
    }

    /** An MQTT UTF-8 string: at most 65,535 bytes, no U+0000 [MQTT-1.5.4-2]. */
    private static String utf8(String s) {
        if (s.indexOf('\0') >= 0) {
            throw AdminApi.badRequest("strings must not contain U+0000");
        }
        if (s.getBytes(StandardCharsets.UTF_8).length > 65_535) {
            throw AdminApi.badRequest("a string longer than 65535 bytes");
        }
        return s;
    }
}
