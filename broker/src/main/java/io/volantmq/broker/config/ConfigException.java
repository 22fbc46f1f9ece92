package io.volantmq.broker.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration cannot be used; lists every problem found, not just the first. An
 * {@link IllegalArgumentException}, like every other bad-setting failure of the broker.
 */
public final class ConfigException extends IllegalArgumentException {
    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(describe(errors));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }

    private static String describe(List<ConfigError> errors) {
        if (errors.size() == 1) {
            return errors.get(0).toString();
        }
        return errors.size() + " configuration errors:" + errors.stream().map(e -> "\n  " + e)
                .collect(Collectors.joining());
    }
}
