package io.volantmq.broker.session;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.Settings;

/**
 * How the broker writes to clients, read once at start from the broker-wide settings.
 *
 * @param unwritableTimeoutMillis how long a connection may stay over its write-buffer high-water mark
 *                                (the client does not read) before it is closed; 0: never closed for it
 * @param topicAliases            send MQTT 5 topic aliases to clients that accept them
 * @param topicAliasMaximum       at most this many aliases per connection, whatever the client allows
 */
public record OutboundSettings(long unwritableTimeoutMillis, boolean topicAliases, int topicAliasMaximum) {

    /** What an empty configuration gives. */
    public static final OutboundSettings DEFAULTS = new OutboundSettings(60_000, true, 256);

    /** Bad values fail at start with the key named. */
    public static OutboundSettings from(BrokerConfig config) {
        Settings s = Settings.global(config.settings());
        return new OutboundSettings(s.longValue("unwritableTimeout", 60, 0, 86_400) * 1000L,
                s.bool("outboundTopicAliases", true),
                s.integer("outboundTopicAliasMaximum", 256, 1, 65_535));
    }
}
