package io.volantmq.persistence;

/** Size of one session's queue: entries and the payload bytes they reference. */
public record QueueStats(long messages, long payloadBytes) {
    public static final QueueStats EMPTY = new QueueStats(0, 0);
}
