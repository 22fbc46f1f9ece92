package io.volantmq.persistence.rocksdb;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The store-wide source of queue seqs, message body ids and subscription order. One counter for
 * every queue keeps seqs increasing per queue and never reused: not after a queue's tail was
 * removed, not after a clear, not after a restart. The counter is reserved in blocks: the block's
 * end is written before any id of it is handed out, and a reopen continues from there.
 */
final class IdAllocator {
    private static final byte[] LIMIT_KEY = Keys.utf8("id-limit");
    private static final long BLOCK = 1 << 16;

    private final RocksDB db;
    private final ColumnFamilyHandle meta;
    private final WriteOptions writeOptions;
    private long next;
    private long limit;

    IdAllocator(RocksDbFiles files, WriteOptions writeOptions) throws RocksDBException {
        this.db = files.db();
        this.meta = files.meta();
        this.writeOptions = writeOptions;
        byte[] stored = db.get(meta, LIMIT_KEY);
        limit = stored == null ? 1 : Keys.id(stored);
        next = limit;
        if (files.salvaged()) {
            // skipped WAL records may include a reservation: never go below an id still on disk
            next = Math.max(next, 1 + Math.max(lastId(files.messages(), false), lastId(files.queues(), true)));
            next = Math.max(next, 1 + maxSubscriptionOrder(files.subscriptions()));
            limit = next;
        }
    }

    /** Hands out {@code count} consecutive ids and returns the first; ids are positive. */
    synchronized long next(int count) throws RocksDBException {
        long first = next;
        if (first + count > limit) {
            long newLimit = first + count + BLOCK;
            db.put(meta, writeOptions, LIMIT_KEY, Keys.id(newLimit));
            limit = newLimit;
        }
        next = first + count;
        return first;
    }

    private long lastId(ColumnFamilyHandle family, boolean scan) {
        long max = 0;
        try (RocksIterator it = db.newIterator(family)) {
            if (!scan) {
                it.seekToLast();
                return it.isValid() ? Keys.id(it.key()) : 0;
            }
            // queue keys sort by client first, so the largest seq can be anywhere
            for (it.seekToFirst(); it.isValid(); it.next()) {
                max = Math.max(max, Keys.seqOfEntry(it.key()));
            }
        }
        return max;
    }

    private long maxSubscriptionOrder(ColumnFamilyHandle family) {
        long max = 0;
        try (RocksIterator it = db.newIterator(family)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                max = Math.max(max, Values.subscription(Keys.filterOf(it.key()), it.value()).order());
            }
        }
        return max;
    }
}
