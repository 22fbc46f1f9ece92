package io.volantmq.broker.config;

/**
 * One problem with the configuration.
 *
 * @param origin  where the bad entry is
 * @param key     the setting as written there (without the {@code volantmq.} prefix), or null
 * @param message what is wrong, including a suggestion for a typo
 */
public record ConfigError(Origin origin, String key, String message) {

    @Override
    public String toString() {
        return origin + ": " + message;
    }
}
