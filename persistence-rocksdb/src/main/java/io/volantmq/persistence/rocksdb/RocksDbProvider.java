package io.volantmq.persistence.rocksdb;

import io.volantmq.persistence.AbstractProvider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;

import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code rocksdb} backend: a durable store in a RocksDB directory.
 *
 * <p>Settings ({@code volantmq.persistence.rocksdb.<key>}):
 * <ul>
 *   <li>{@code path}: the directory, created if missing; default {@code data/rocksdb}</li>
 *   <li>{@code fsync}: {@code true} (default) syncs every write to disk before the call returns,
 *       so an acknowledged change survives a power loss; {@code false} hands writes to the OS
 *       only, which survives a crash of the process but not of the machine</li>
 *   <li>{@code commit}: {@code group} (default) writes without syncing and syncs the WAL once per
 *       {@link Store#sync()} for everything written before it (group commit); {@code each} syncs
 *       every write. Only matters with {@code fsync=true}.</li>
 * </ul>
 *
 * <p>Recovery: a WAL torn by a crash is replayed up to its last intact record; a store still
 * reported corrupt is reopened skipping every corrupt record; a store that cannot be opened even
 * so is moved aside to {@code <path>.damaged-<timestamp>} and an empty one takes its place. Each
 * step is logged. A store locked by another process, or any other I/O failure, is an error, and so is
 * a key not listed above.
 */
public final class RocksDbProvider extends AbstractProvider {
    private static final Set<String> KEYS = Set.of("path", "fsync", "commit");

    public RocksDbProvider() {
        super("rocksdb", true, KEYS);
    }

    @Override
    protected Store openChecked(ProviderConfig config) {
        Path dir = config.getPath("path", Path.of("data", "rocksdb")).toAbsolutePath();
        boolean fsync = config.getBoolean("fsync", true);
        boolean group = config.groupCommit();
        return new RocksDbStore(RocksDbFiles.open(dir), fsync, fsync && group);
    }
}
