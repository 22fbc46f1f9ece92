package io.volantmq.persistence.buffered;

import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.contract.Fixtures;
import io.volantmq.persistence.rocksdb.RocksDbProvider;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link BufferedStoreKillTest} kills: a BufferedStore over RocksDB at {@code args[0]}
 * with a sync interval of {@code args[1]} ms and RocksDB's {@code fsync=args[2]}, changed in a
 * loop at a steady pace ({@code args[3]} µs apart) the backend keeps up with. Prints
 * {@code ACK <n>} once change {@code n} has returned; never closes the store; stops by itself
 * after a minute.
 */
public final class BufferedCrashWriter {
    static final String QUEUE = "crash-all";

    private BufferedCrashWriter() {
    }

    public static void main(String[] args) {
        Store rocksdb = new RocksDbProvider().open(new ProviderConfig("rocksdb", Map.of("path", args[0], "fsync", args[2])));
        Store store = new BufferedStore(rocksdb, "crash",
                BufferedStore.Options.DEFAULTS.withSyncIntervalMillis(Long.parseLong(args[1])));
        long pauseNanos = TimeUnit.MICROSECONDS.toNanos(Long.parseLong(args[3]));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        for (int n = 0; System.nanoTime() < deadline; n++) {
            store.messages().enqueue(queued(n), Fixtures.targets(QUEUE));
            store.sessions().put(Fixtures.session("crash-" + n));
            store.retained().put(retained(n));
            System.out.println("ACK " + n);
            System.out.flush();
            LockSupport.parkNanos(pauseNanos);
        }
        System.exit(2);
    }

    static StoredMessage queued(int n) {
        return Fixtures.message("crash/" + n, Fixtures.randomBytes(64 + n % 2000, n));
    }

    static StoredMessage retained(int n) {
        return Fixtures.message("crash/" + n, "retained " + n);
    }
}
