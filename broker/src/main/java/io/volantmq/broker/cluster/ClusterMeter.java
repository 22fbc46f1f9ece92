package io.volantmq.broker.cluster;

import java.util.function.DoubleSupplier;

/**
 * One number a cluster implementation shows: a micrometer meter {@code volantmq.cluster.<name>} and the
 * topic {@code $SYS/broker/cluster/<name with '.' as '/'>}. Read when scraped, so it must not block.
 *
 * @param name        dotted, without the {@code volantmq.cluster.} prefix, e.g. {@code forwarded.out}
 * @param counter     true for a count that only grows, false for a gauge
 */
public record ClusterMeter(String name, String description, boolean counter, DoubleSupplier value) {
}
