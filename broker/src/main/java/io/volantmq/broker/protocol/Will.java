package io.volantmq.broker.protocol;

import java.util.Objects;

/** The will message of a CONNECT; {@code properties} are the will properties (MQTT 5). */
public record Will(String topic, byte[] payload, int qos, boolean retain, Properties properties) {
    public Will {
        Objects.requireNonNull(topic, "topic");
        payload = payload == null ? new byte[0] : payload;
        properties = properties == null ? Properties.EMPTY : properties;
    }
}
