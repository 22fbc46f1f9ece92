package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.AbstractProvider;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.ProviderConfig;
import io.volantmq.persistence.Store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

/**
 * A durable store in one SQLite file (WAL journal), through {@code org.xerial:sqlite-jdbc}.
 *
 * <p>Settings ({@code volantmq.persistence.sqlite.<key>}):
 * <ul>
 *   <li>{@code path}: the database file, default {@code data/volantmq.db}; missing parent
 *       directories are created.</li>
 *   <li>{@code synchronous}: {@code FULL} (default) makes every change durable, power loss
 *       included, before the method returns; {@code NORMAL} survives a crash of the process but
 *       may lose the last commits on power loss; {@code EXTRA} also syncs the directory.</li>
 *   <li>{@code commit}: {@code group} (default) commits changes without a sync and syncs the WAL
 *       once per {@link Store#sync()} (group commit); {@code each} syncs every commit.</li>
 * </ul>
 * Any other key is refused.
 *
 * <p>A damaged file is moved aside with a timestamp suffix, what can still be read from it is
 * copied into a fresh file, and the broker starts (see {@code SqliteOpener}, {@code SqliteSalvage}).
 */
public final class SqliteProvider extends AbstractProvider {

    public static final String NAME = "sqlite";
    static final Path DEFAULT_PATH = Path.of("data", "volantmq.db");
    // OFF is refused: the store claims to be durable
    private static final Set<String> KEYS = Set.of("path", "synchronous", "commit");
    private static final Set<String> SYNCHRONOUS = Set.of("FULL", "NORMAL", "EXTRA");

    public SqliteProvider() {
        super(NAME, true, KEYS);
    }

    @Override
    protected Store openChecked(ProviderConfig config) {
        Path path = config.getPath("path", DEFAULT_PATH).toAbsolutePath();
        String synchronous = config.get("synchronous", "FULL").trim().toUpperCase(Locale.ROOT);
        if (!SYNCHRONOUS.contains(synchronous)) {
            throw new PersistenceException(config.propertyName("synchronous") + " must be one of "
                    + SYNCHRONOUS + ", got '" + config.get("synchronous", "") + "'");
        }
        if (config.groupCommit() && !synchronous.equals("NORMAL")) {
            // group commit: changes commit without a sync; a second connection at the chosen level
            // commits a marker row on Store.sync(), and that one WAL sync covers them all
            Connection connection = SqliteOpener.open(path, "NORMAL");
            Connection sync = null;
            try {
                sync = SqliteOpener.connect(path, synchronous);
                return new SqliteStore(path, connection, sync, SqliteOpener.connect(path, "NORMAL"));
            } catch (SQLException e) {
                if (sync != null) {
                    SqliteOpener.closeQuietly(sync);
                }
                SqliteOpener.closeQuietly(connection);
                throw new PersistenceException("sqlite store " + path + ": opening the sync or read connection failed: "
                        + e.getMessage(), e);
            }
        }
        Connection connection = SqliteOpener.open(path, synchronous);
        try {
            return new SqliteStore(path, connection, null, SqliteOpener.connect(path, "NORMAL"));
        } catch (SQLException e) {
            SqliteOpener.closeQuietly(connection);
            throw new PersistenceException("sqlite store " + path + ": opening the read connection failed: "
                    + e.getMessage(), e);
        }
    }
}
