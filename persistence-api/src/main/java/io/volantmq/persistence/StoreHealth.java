package io.volantmq.persistence;

/**
 * Whether the store answers. Read by health checks; written by the broker's store guard and the write-behind buffer.
 *
 * @param healthy        false while calls are failing
 * @param lastError      the last failure, or null
 * @param sinceMillis    when the current state began
 * @param failedCalls    calls that failed since start (including those refused while failing)
 */
public record StoreHealth(boolean healthy, String lastError, long sinceMillis, long failedCalls) {
}
