package io.volantmq.broker.protocol;

import java.util.Objects;

/** One topic filter of a SUBSCRIBE with its options (3.x: only {@code qos}). */
public record Subscription(String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {
    public Subscription {
        Objects.requireNonNull(filter, "filter");
    }

    public static Subscription of(String filter, int qos) {
        return new Subscription(filter, qos, false, false, 0);
    }
}
