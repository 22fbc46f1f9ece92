package io.volantmq.broker.session;

import io.volantmq.broker.auth.Settings;

import java.util.Map;

/**
 * Bounds on what one client can make the broker hold or walk, read once at start from the
 * {@code volantmq.*} settings (a bad value fails the start with its key named). 0 means unlimited
 * where the range allows it.
 *
 * @param maxTopicLevels            levels of a topic name or filter (PUBLISH, will, SUBSCRIBE): each
 *                                  level is a node in the subscription tree and a step of every match
 * @param maxSubscriptionsPerClient subscriptions one session may hold; 0 unlimited
 * @param maxFiltersPerSubscribe    topic filters handled in one SUBSCRIBE; those after it are refused
 * @param maxRetainedMessages       retained messages held broker-wide; 0 unlimited
 * @param maxRetainedBytes          payload, topic and properties bytes of them; 0 unlimited
 * @param receiveMaximumV3          unreleased inbound QoS 2 packet ids an MQTT 3.x client may hold (the
 *                                  MQTT 5 bound is {@code receiveMaximum}, announced in CONNACK; 3.x has no
 *                                  way to announce one, so it is looser: 3.x clients often run windows in
 *                                  the hundreds, and over it they are disconnected without warning)
 */
public record ResourceLimits(int maxTopicLevels, int maxSubscriptionsPerClient, int maxFiltersPerSubscribe,
                             long maxRetainedMessages, long maxRetainedBytes, int receiveMaximumV3) {

    /** Nothing bounded beyond what the protocol itself bounds (tests of other things). */
    public static final ResourceLimits NONE = new ResourceLimits(65_535, 0, 65_535, 0, 0, 65_535);

    public static ResourceLimits from(Map<String, String> settings) {
        Settings s = Settings.global(settings);
        // 128 levels: real topic trees are a handful of levels deep; EMQX's max_topic_levels default is also 128
        return new ResourceLimits(
                s.integer("maxTopicLevels", 128, 1, 65_535),
                s.integer("maxSubscriptionsPerClient", 1_000, 0, Integer.MAX_VALUE),
                s.integer("maxFiltersPerSubscribe", 128, 1, 65_535),
                s.longValue("maxRetainedMessages", 1_000_000, 0, Long.MAX_VALUE),
                s.longValue("maxRetainedBytes", 256L * 1024 * 1024, 0, Long.MAX_VALUE),
                s.integer("receiveMaximumV3", 1_024, 1, 65_535));
    }

    /** Whether a topic name or (inner) filter has more levels than allowed; counts without splitting. */
    public boolean tooManyLevels(String topic) {
        int levels = 1;
        for (int i = topic.indexOf('/'); i >= 0; i = topic.indexOf('/', i + 1)) {
            if (++levels > maxTopicLevels) {
                return true;
            }
        }
        return levels > maxTopicLevels;
    }

    /** Whether a session holding {@code held} subscriptions may add another. */
    public boolean maySubscribeMore(int held) {
        return maxSubscriptionsPerClient == 0 || held < maxSubscriptionsPerClient;
    }
}
