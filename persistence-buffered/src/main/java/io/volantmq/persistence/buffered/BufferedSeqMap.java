package io.volantmq.persistence.buffered;

import java.util.Arrays;

/**
 * One queue's map between the sequence numbers a {@link BufferedStore} handed out and those the
 * backend assigned when the entries were written: 20 bytes per entry. Entries are added in
 * enqueue order, and the backend numbers them in that same order, so both columns are sorted and
 * either can be searched. A removed entry leaves a tombstone (its length is -1) until compaction.
 * Not thread-safe: the owner guards it.
 */
final class BufferedSeqMap {
    private long[] ours = new long[4];
    private long[] theirs = new long[4];
    private int[] lengths = new int[4];
    private int start;
    private int end;
    private int live;

    int size() {
        return live;
    }

    boolean isEmpty() {
        return live == 0;
    }

    /** Maps our {@code seq} to the backend's {@code backendSeq}; both are above every earlier pair. */
    void add(long seq, long backendSeq, int payloadLength) {
        if (end > start && (seq <= ours[end - 1] || backendSeq <= theirs[end - 1])) {
            throw new IllegalStateException("seqs out of order: " + seq + "->" + backendSeq + " after "
                    + ours[end - 1] + "->" + theirs[end - 1]);
        }
        if (end == ours.length) {
            grow();
        }
        ours[end] = seq;
        theirs[end] = backendSeq;
        lengths[end] = payloadLength;
        end++;
        live++;
    }

    /** The backend's seq of our live {@code seq}, or -1. */
    long backendSeq(long seq) {
        int i = Arrays.binarySearch(ours, start, end, seq);
        return i >= 0 && lengths[i] >= 0 ? theirs[i] : -1;
    }

    /** Our seq of the backend's live {@code backendSeq}, or -1 when it is not one of ours. */
    long ourSeq(long backendSeq) {
        int i = Arrays.binarySearch(theirs, start, end, backendSeq);
        return i >= 0 && lengths[i] >= 0 ? ours[i] : -1;
    }

    /** The backend's seq of our first live entry, or -1 when there is none. */
    long firstBackendSeq() {
        return live == 0 ? -1 : theirs[start];
    }

    /** The payload length of our live {@code seq}, or -1. */
    int payloadLength(long seq) {
        int i = Arrays.binarySearch(ours, start, end, seq);
        return i >= 0 ? lengths[i] : -1;
    }

    /**
     * The backend's seq to read after so that exactly our entries with a seq above {@code seq}
     * come next: that of the greatest entry at or below {@code seq}, else one below the first.
     * Returns -1 when none of our entries is above {@code seq}.
     */
    long readAfter(long seq) {
        if (live == 0) {
            return -1;
        }
        int i = Arrays.binarySearch(ours, start, end, seq);
        int floor = i >= 0 ? i : -i - 2; // insertion point - 1
        if (floor >= end - 1) {
            return -1;
        }
        return floor < start ? theirs[start] - 1 : theirs[floor];
    }

    void remove(long seq) {
        int i = Arrays.binarySearch(ours, start, end, seq);
        if (i < 0 || lengths[i] < 0) {
            return;
        }
        lengths[i] = -1;
        live--;
        while (start < end && lengths[start] < 0) {
            start++;
        }
        if (live == 0) {
            start = 0;
            end = 0;
        } else if (end - start > 2 * live + 16) {
            compact();
        }
    }

    void clear() {
        start = 0;
        end = 0;
        live = 0;
        if (ours.length > 64) {
            ours = new long[4];
            theirs = new long[4];
            lengths = new int[4];
        }
    }

    private void grow() {
        if (start > 0 && end - start < ours.length / 2) {
            compact();
            return;
        }
        int capacity = Math.max(4, ours.length * 2);
        ours = Arrays.copyOf(ours, capacity);
        theirs = Arrays.copyOf(theirs, capacity);
        lengths = Arrays.copyOf(lengths, capacity);
    }

    private void compact() {
        int n = 0;
        for (int i = start; i < end; i++) {
            if (lengths[i] >= 0) {
                ours[n] = ours[i];
                theirs[n] = theirs[i];
                lengths[n] = lengths[i];
                n++;
            }
        }
        start = 0;
        end = n;
        if (ours.length > 64 && n < ours.length / 4) {
            int capacity = Math.max(4, n * 2);
            ours = Arrays.copyOf(ours, capacity);
            theirs = Arrays.copyOf(theirs, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
        }
    }
}
