package io.volantmq.persistence.buffered;

import io.volantmq.persistence.StoreHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Whether a {@link BufferedStore}'s writes reach its backend. A failure episode starts with the first
 * failed write (logged at ERROR once, later ones at DEBUG) and ends with the next write that succeeds;
 * a lag warning is logged once while the oldest waiting change is well past the sync interval. Changed
 * by the flusher thread only; read by any thread. Logs under {@code BufferedStore}, whose lines these are.
 */
final class BufferedWriteHealth {
    private static final Logger log = LoggerFactory.getLogger(BufferedStore.class);

    private final String name;
    private final long syncIntervalMillis;
    private volatile boolean failing;
    private volatile long failingSinceNanos;
    private volatile String lastError;
    private volatile long sinceMillis = System.currentTimeMillis();
    private final AtomicLong failedAttempts = new AtomicLong();
    private long episodeFailures;
    private boolean lagging;

    BufferedWriteHealth(String name, long syncIntervalMillis) {
        this.name = name;
        this.syncIntervalMillis = syncIntervalMillis;
    }

    /** Whether the backend takes the writes; {@code failedCalls} counts failed write attempts. */
    StoreHealth health() {
        return new StoreHealth(!failing, lastError, sinceMillis, failedAttempts.get());
    }

    boolean failing() {
        return failing;
    }

    /** {@link System#nanoTime()} when the current failure episode began. */
    long failingSinceNanos() {
        return failingSinceNanos;
    }

    /** The last failed write and its error, or null before the first failure. */
    String lastError() {
        return lastError;
    }

    /** A write of {@code op} failed; {@code waiting} counts the changes that wait (asked on an episode's first failure). */
    void failed(BufferedOp op, Throwable e, IntSupplier waiting) {
        failedAttempts.incrementAndGet();
        episodeFailures++;
        lastError = op.describe() + ": " + e;
        if (!failing) {
            failingSinceNanos = System.nanoTime();
            sinceMillis = System.currentTimeMillis();
            failing = true;
            log.error("store '{}' is failing: writing behind ({}) failed; {} acknowledged changes wait in memory and are "
                    + "retried in order; refusing new changes once the backlog is full", name, op.describe(),
                    waiting.getAsInt(), e);
        } else {
            log.debug("store '{}' still failing: {}", name, lastError);
        }
    }

    /** A write succeeded after a failure episode. */
    void recovered() {
        failing = false;
        sinceMillis = System.currentTimeMillis();
        log.info("store '{}' takes writes again after {} failed attempts", name, episodeFailures);
        episodeFailures = 0;
    }

    /**
     * Warns once when the oldest waiting change is well past the interval (the backend is slower
     * than the incoming changes, or failing): the loss window is that long now.
     */
    void reportLag(long lagNanos) {
        long lagMillis = TimeUnit.NANOSECONDS.toMillis(lagNanos);
        if (!lagging && lagMillis > Math.max(2 * syncIntervalMillis, syncIntervalMillis + 1000)) {
            lagging = true;
            log.warn("store '{}': the oldest acknowledged change not yet written is {} ms old (sync interval {} ms): the "
                    + "backend is behind, and a crash now loses that much", name, lagMillis, syncIntervalMillis);
        } else if (lagging && lagMillis <= syncIntervalMillis) {
            lagging = false;
            log.info("store '{}': writing behind has caught up", name);
        }
    }
}
