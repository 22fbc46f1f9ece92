package io.volantmq.broker.protocol;

import java.util.Objects;

/** An MQTT 5 UTF-8 string pair: a user property. */
public record StringPair(String name, String value) {
    public StringPair {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
