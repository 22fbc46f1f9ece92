package io.volantmq.persistence.buffered;

/**
 * What a {@link BufferedStore} holds in memory and has done since it was opened.
 *
 * @param pendingOps     acknowledged changes not yet written to the backend
 * @param pendingBytes   the heap they hold (payloads, properties, keys; roughly)
 * @param oldestMillis   age of the oldest of them, 0 when none wait
 * @param writtenOps     changes written to the backend
 * @param coalescedOps   changes that never needed a write of their own (superseded or undone)
 * @param blockedWrites  changes that had to wait for room in the backlog (back-pressure)
 * @param refusedWrites  changes refused because the backlog stayed full or the backend was failing
 */
public record BufferedBacklog(int pendingOps, long pendingBytes, long oldestMillis, long writtenOps,
                              long coalescedOps, long blockedWrites, long refusedWrites) {
}
