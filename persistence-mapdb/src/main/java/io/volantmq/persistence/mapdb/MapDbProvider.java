package io.volantmq.persistence.mapdb;

import io.volantmq.persistence.AbstractProvider;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;

import java.nio.file.Path;
import java.util.Set;

/**
 * The {@code mapdb} backend: a durable store in one file. The name is historical: the engine is
 * H2 MVStore (append-only, pure Java), which replaced MapDB 3 (issue 16).
 *
 * <p>Settings ({@code volantmq.persistence.mapdb.<key>}):
 * <ul>
 *   <li>{@code path}: the file; default {@code data/volantmq.mapdb}; missing parent directories
 *       are created</li>
 *   <li>{@code commit}: {@code group} (default) keeps changes uncommitted until
 *       {@link Store#sync()} commits and syncs them all (group commit); {@code each} commits and
 *       syncs every change before it returns</li>
 * </ul>
 * Any other key is refused.
 *
 * <p>Durability: a commit is followed by an fsync of the file, so a {@code kill -9} or power loss
 * loses nothing a returned change ({@code each}) or a returned sync ({@code group}) covered.
 * MVStore writes every commit as a new chunk and never overwrites live data, so a crash in the
 * middle of a commit leaves the file at the commit before. Changes are serialized. Replaced chunks
 * are reused after one second, and sparse chunks are compacted a little every 64 commits, so a
 * commit per change does not grow the file without bound; the file itself does not shrink.
 *
 * <p>Recovery: if the file cannot be opened or read because it is damaged, it is <b>moved
 * aside</b> to {@code <path>.damaged-<timestamp>}, an ERROR naming both files is logged, and the
 * broker starts with an empty store rather than refusing to start. A MapDB 3 file an earlier
 * version wrote (MVStore cannot read it) is converted into an MVStore file, all of it or nothing,
 * and kept renamed to {@code <path>.mapdb3-<timestamp>}; one that cannot be read whole is moved
 * aside as a damaged file, with an ERROR saying how to drain it with that earlier version (see
 * {@link LegacyMapDbFile}). A file locked by another process, or an I/O error, is not treated as
 * damage: opening fails instead.
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
