package io.volantmq.plugin.api;

/**
 * What a SUBSCRIBE interceptor decides for one topic filter.
 *
 * @param filter     the filter to subscribe (the original, or a changed one); null when denied
 * @param qos        the maximum QoS to grant
 * @param reasonCode for a denial: the MQTT 5 SUBACK reason code (0x87 Not authorized, 0x97 Quota exceeded, ...);
 *                   3.x clients get 0x80; 0 otherwise
 */
public record SubscribeResult(String filter, int qos, int reasonCode) {

    /** Subscribes as requested. */
    public static SubscribeResult keep(String filter, int qos) {
        return new SubscribeResult(filter, qos, 0);
    }

    /** Subscribes {@code filter} at most at {@code qos} instead. */
    public static SubscribeResult modify(String filter, int qos) {
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
        return new SubscribeResult(java.util.Objects.requireNonNull(filter), qos, 0);
    }

    /** Refuses the filter with {@code reasonCode} (0x80..0xFF). */
    public static SubscribeResult deny(int reasonCode) {
        if (reasonCode < 0x80 || reasonCode > 0xFF) {
            throw new IllegalArgumentException("a denial needs a failure reason code (0x80..0xFF): " + reasonCode);
        }
        return new SubscribeResult(null, 0, reasonCode);
    }

    /** Whether the filter was refused. */
    public boolean denied() {
        return filter == null;
    }
}
