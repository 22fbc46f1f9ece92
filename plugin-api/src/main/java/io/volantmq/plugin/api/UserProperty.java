package io.volantmq.plugin.api;

import java.util.Objects;

/** An MQTT 5 user property (a name/value pair; names may repeat). */
public record UserProperty(String name, String value) {
    /** Both parts are required. */
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
