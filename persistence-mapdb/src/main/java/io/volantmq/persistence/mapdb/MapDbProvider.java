package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.AbstractProvider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;

import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code mapdb} backend: a durable store in one MapDB file with transactions.
 *
 * <p>Settings ({@code volantmq.persistence.mapdb.<key>}):
 * <ul>
 *   <li>{@code path}: the file; default {@code data/volantmq.mapdb}; missing parent directories
 *       are created</li>
 *   <li>{@code commit}: {@code group} (default) keeps changes in the open transaction until
 *       {@link Store#sync()} commits them all (group commit); {@code each} commits every change</li>
 * </ul>
 * Any other key is refused.
 *
 * <p>Durability: every change is committed, and the commit synced to disk, before the call
 * returns, so a {@code kill -9} or power loss loses nothing that was acknowledged. A commit first
 * goes, whole and checksummed, to {@code <path>.journal}, and only then into the file: MapDB 3.1.0
 * by itself overwrites the file in place write by write and never replays its write-ahead log, so
 * a crash in the middle of a commit would leave a file it cannot read. Changes are serialized,
 * since MapDB has one transaction per file. Space freed by drained queues is reused by later
 * writes; the file itself does not shrink.
 *
 * <p>Recovery: on open, a commit the journal holds whole is written into the file again (it
 * became durable, but the process stopped while writing it into the file), and a journal cut short
 * is dropped (the process stopped before that commit became durable, so it had not been
 * acknowledged); either is logged at WARN. If the file still cannot be opened or read because it
 * is damaged, it is <b>moved aside</b> to {@code <path>.damaged-<timestamp>} (with its companion
 * files), an ERROR naming both files is logged, and the broker starts with an empty store rather
 * than refusing to start: the sessions, queues and retained messages in the damaged file are then
 * not delivered, but the file is kept for inspection. A file locked by another process, or an I/O
 * error, is not treated as damage: opening fails instead.
 */
public final class MapDbProvider extends AbstractProvider {
    private static final Set<String> KEYS = Set.of("path", "commit");

    public MapDbProvider() {
        super("mapdb", true, KEYS);
    }

    @Override
    protected Store openChecked(ProviderConfig config) {
        Path file = config.getPath("path", Path.of("data", "volantmq.mapdb")).toAbsolutePath();
        return new MapDbStore(MapDbFiles.open(file), config.groupCommit());
    }
}
