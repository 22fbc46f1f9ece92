package io.volantmq.persistence.rocksdb;

import java.util.Collection;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed array of locks picked by key hash. Several stripes are always taken in ascending order,
 * so two callers locking overlapping sets never deadlock.
 */
final class Stripes {
    private final ReentrantLock[] locks;

    Stripes(int count) {
        if (Integer.bitCount(count) != 1) {
            throw new IllegalArgumentException("stripe count must be a power of two: " + count);
        }
        locks = new ReentrantLock[count];
        for (int i = 0; i < count; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Held stripes; closing releases them. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    Held lock(Object key) {
        ReentrantLock lock = locks[index(key)];
        lock.lock();
        return lock::unlock;
    }

    Held lockAll(Collection<?> keys) {
        int[] indexes = keys.stream().mapToInt(this::index).distinct().sorted().toArray();
        for (int index : indexes) {
            locks[index].lock();
        }
        return () -> {
            for (int i = indexes.length - 1; i >= 0; i--) {
                locks[indexes[i]].unlock();
            }
        };
    }

    private int index(Object key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (locks.length - 1);
    }
}
