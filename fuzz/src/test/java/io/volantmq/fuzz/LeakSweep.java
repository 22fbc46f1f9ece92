package io.volantmq.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Drives Netty's PARANOID leak detector: it learns of a leaked buffer only when the garbage collector
 * has enqueued its phantom reference, and reports it on a later allocation. A sweep collects, then
 * allocates a few buffers so that the report (caught by {@link LogWatch}) happens now. A full
 * collection costs about a second with the detector's records, so the fuzz targets sweep every
 * {@link #EVERY} inputs and once after the last; the per-input check is {@link TrackingAllocator}'s.
 */
final class LeakSweep {
    static final int EVERY = 5_000;

    private long inputs;

    /** Sweeps when due for this input. */
    void afterInput(LogWatch watch) {
        inputs++;
        if (inputs % EVERY == 0) {
            sweep(watch);
        }
    }

    void sweep(LogWatch watch) {
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 8; i++) {
                ByteBuf a = Unpooled.buffer(16);
                a.release();
                ByteBuf b = ByteBufAllocator.DEFAULT.buffer(16);
                b.release();
            }
        }
        Findings.check(watch.drain(), "Netty leak detector");
    }
}
