package io.volantmq.persistence.buffered;

/**
 * One acknowledged change of a {@link BufferedStore} that the backend does not have yet. Ops wait
 * in the store's journal in the order they were made; the flusher thread writes them one at a
 * time, in that order.
 *
 * <p>States (changed only while holding the store's mutex): {@code PENDING} until the flusher
 * takes the op; a pending op may still be changed in place or cancelled when a later change
 * supersedes it (coalescing). {@code APPLYING} from then on, also across failed attempts: the op
 * is frozen and retried as it is. {@code DONE} once written and retired; {@code CANCELLED} when
 * superseded before it was written.
 */
abstract class BufferedOp {
    enum State { PENDING, APPLYING, DONE, CANCELLED }

    /** Guarded by the store's mutex. */
    State state = State.PENDING;
    /** Position in the journal; set on append. */
    long seq;
    /** {@link System#nanoTime()} when appended: the flusher writes it before it is one interval old. */
    long createdNanos;
    /** Bytes it holds on the heap (roughly), for the back-pressure bound. */
    long weight;

    /**
     * Writes the change to the backend. Runs on the flusher thread holding the store's apply
     * lock (so no reader sees the backend half-way), never the mutex. Must be safe to call again
     * after it threw: the same op is retried until it succeeds.
     */
    abstract void apply();

    /**
     * Drops the op's effect from the in-memory view now that the backend has it. Runs right
     * after {@link #apply} succeeded, holding both the apply lock and the mutex.
     */
    abstract void retire();

    /** What the op does, for log lines: e.g. {@code enqueue t/1 for 3 sessions}. */
    abstract String describe();

    final boolean pending() {
        return state == State.PENDING;
    }

    final boolean live() {
        return state == State.PENDING || state == State.APPLYING;
    }
}
