package io.volantmq.bench;

import java.util.BitSet;

/**
 * Correctness bookkeeping for one stream as one subscriber sees it: which sequence numbers arrived,
 * how many twice, and how many after a higher one (out of order). Loss is what the publisher sent
 * minus the distinct numbers seen.
 *
 * <p>Memory stays proportional to the gaps, not the run: every number below {@code base} has
 * arrived, and the bit set only covers the numbers from there on. Confined to one event loop.
 */
final class SequenceTracker {
    /** Shift the bit set once this many leading numbers are complete. */
    private static final int COMPACT_AT = 4096;

    private BitSet seen = new BitSet();
    private long base;
    private long highest = -1;
    private long received;
    private long duplicates;
    private long outOfOrder;

    /** Records one arrival; false when the number had arrived before (a duplicate). */
    boolean accept(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("negative sequence number " + seq);
        }
        if (seq < base || seen.get(index(seq))) {
            duplicates++;
            return false;
        }
        seen.set(index(seq));
        received++;
        if (seq < highest) {
            outOfOrder++;
        } else {
            highest = seq;
        }
        compact();
        return true;
    }

    private int index(long seq) {
        long i = seq - base;
        if (i > Integer.MAX_VALUE - 64) {
            throw new IllegalStateException("sequence gap too large to track: " + seq + " with base " + base);
        }
        return (int) i;
    }

    private void compact() {
        if (!seen.get(0)) {
            return;
        }
        int complete = seen.nextClearBit(0);
        if (complete >= COMPACT_AT) {
            seen = seen.get(complete, Math.max(complete, seen.length()));
            base += complete;
        }
    }

    /** Distinct sequence numbers seen. */
    long received() {
        return received;
    }

    long duplicates() {
        return duplicates;
    }

    /** Arrivals of a number lower than one already seen (each late message counts once). */
    long outOfOrder() {
        return outOfOrder;
    }

    /** Of {@code sent} messages (numbers 0 .. sent-1), how many never arrived. */
    long lost(long sent) {
        long missing = sent - received;
        return Math.max(0, missing);
    }

    long highest() {
        return highest;
    }
}
