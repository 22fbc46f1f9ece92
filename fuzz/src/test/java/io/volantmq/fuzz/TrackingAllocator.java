package io.volantmq.fuzz;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * The allocator of every channel in one fuzz input: remembers each buffer it hands out, so that at the
 * end of the input a buffer still referenced is a leak found at once and pinned to that input. Netty's
 * PARANOID detector (see {@link LogWatch}) is the backstop for buffers from elsewhere, but it only
 * reports after a garbage collection, i.e. some inputs later.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> handedOut = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private ByteBuf track(ByteBuf buf) {
        handedOut.add(buf);
        return buf;
    }

    int allocations() {
        return handedOut.size();
    }

    /**
     * Describes every buffer not yet released (and releases it, so that one leak is not reported again
     * by the PARANOID detector later); empty when none leaked.
     */
    List<String> unreleased() {
        List<String> leaks = new ArrayList<>();
        for (ByteBuf buf : handedOut) {
            int refCnt = buf.refCnt();
            if (refCnt > 0) {
                leaks.add(buf.getClass().getSimpleName() + " capacity " + buf.capacity() + " refCnt " + refCnt);
                buf.release(refCnt);
            }
        }
        handedOut.clear();
        return leaks;
    }
}
