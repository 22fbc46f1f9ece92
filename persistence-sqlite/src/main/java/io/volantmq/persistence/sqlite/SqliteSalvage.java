package io.volantmq.persistence.sqlite;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteDataSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Copies what can still be read from a damaged database into the fresh one, row by row, so one
 * bad page costs the rows on it rather than the whole store; then drops queue entries whose
 * message was lost and recounts message references. Logs what it kept and what it dropped.
 */
final class SqliteSalvage {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteSalvage.class);

    private SqliteSalvage() {
    }

    static void copy(Path damaged, Connection fresh) {
        Path readable = damaged;
        try {
            readable = truncationPatched(damaged);
        } catch (IOException e) {
            LOG.warn("sqlite store: cannot prepare a patched copy of {} ({}); reading it as it is", damaged, e.toString());
        }
        try {
            copy(damaged, readable, fresh);
        } finally {
            if (!readable.equals(damaged)) {
                deleteWithJournals(readable);
            }
        }
    }

    private static void copy(Path damaged, Path readable, Connection fresh) {
        Connection old;
        try {
            SQLiteDataSource source = new SQLiteDataSource();
            source.setUrl("jdbc:sqlite:" + readable);
            old = source.getConnection();
            try (Statement probe = old.createStatement()) {
                probe.executeQuery("SELECT count(*) FROM sqlite_master").close();  // fails unless the schema is readable
            } catch (SQLException e) {
                SqliteOpener.closeQuietly(old);
                throw e;
            }
        } catch (SQLException e) {
            LOG.error("sqlite store: nothing could be read from {} ({}); the fresh store starts empty",
                    damaged, e.getMessage());
            return;
        }
        try {
            List<String> report = new ArrayList<>();
            for (String table : SqliteSchema.TABLES) {
                report.add(copyTable(old, fresh, table));
            }
            copyQueueSequence(old, fresh);
            report.add(repairReferences(fresh));
            fresh.commit();
            LOG.warn("sqlite store: salvaged from {}: {}", damaged, String.join("; ", report));
        } catch (SQLException e) {
            try {
                fresh.rollback();
            } catch (SQLException ignored) {
                // the fresh store is still empty and usable; the first error is the one to report
            }
            LOG.error("sqlite store: salvage from {} failed ({}); the fresh store starts empty", damaged,
                    e.getMessage());
        } finally {
            SqliteOpener.closeQuietly(old);
        }
    }

    /**
     * A file cut short (a crash, a full disk, a partial copy) still claims its old page count in the
     * header, and SQLite then calls every query malformed. Salvage then reads a copy whose header
     * claims only the pages that exist, which makes the surviving pages readable; the moved-aside
     * file itself stays as it was found.
     *
     * @return the file to read: {@code damaged} itself, or the patched copy
     */
    private static Path truncationPatched(Path damaged) throws IOException {
        long size = Files.size(damaged);
        ByteBuffer header = ByteBuffer.allocate(100);
        try (FileChannel channel = FileChannel.open(damaged, StandardOpenOption.READ)) {
            while (header.hasRemaining() && channel.read(header) > 0) {
                // read the whole header
            }
        }
        if (header.hasRemaining() || !new String(header.array(), 0, 16, StandardCharsets.US_ASCII)
                .equals("SQLite format 3\0")) {
            return damaged;
        }
        int pageSize = header.getShort(16) & 0xffff;
        pageSize = pageSize == 1 ? 65536 : pageSize;
        long claimed = header.getInt(28) & 0xffffffffL;
        long present = size / pageSize;
        if (pageSize < 512 || present == 0 || claimed <= present) {
            return damaged;
        }
        Path copy = damaged.resolveSibling(damaged.getFileName() + ".salvage");
        deleteWithJournals(copy);
        Files.copy(damaged, copy);
        Path wal = damaged.resolveSibling(damaged.getFileName() + "-wal");
        if (Files.exists(wal)) {
            Files.copy(wal, copy.resolveSibling(copy.getFileName() + "-wal"));
        }
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4).putInt(0, (int) present), 28);
        }
        LOG.warn("sqlite store: {} claims {} pages but holds {}; reading a copy that claims {}", damaged, claimed,
                present, present);
        return copy;
    }

    private static void deleteWithJournals(Path file) {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            try {
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
            } catch (IOException e) {
                LOG.warn("sqlite store: cannot delete {}{}: {}", file, suffix, e.toString());
            }
        }
    }

    private static String copyTable(Connection old, Connection fresh, String table) throws SQLException {
        Set<String> target = columns(fresh, table);
        int copied = 0;
        try (Statement select = old.createStatement();
             ResultSet rs = select.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData meta = rs.getMetaData();
            List<Integer> indexes = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                if (target.contains(meta.getColumnName(i))) {
                    indexes.add(i);
                    names.add(meta.getColumnName(i));
                }
            }
            // OR IGNORE: a row with a damaged value that breaks a constraint is skipped, not fatal
            String insert = "INSERT OR IGNORE INTO " + table + " (" + String.join(", ", names) + ") VALUES ("
                    + String.join(", ", Collections.nCopies(names.size(), "?")) + ")";
            try (PreparedStatement ps = fresh.prepareStatement(insert)) {
                while (rs.next()) {
                    for (int i = 0; i < indexes.size(); i++) {
                        ps.setObject(i + 1, rs.getObject(indexes.get(i)));
                    }
                    copied += ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            if (!SqliteOpener.isDamage(e) && !String.valueOf(e.getMessage()).contains("no such table")) {
                throw e;
            }
            return table + ": " + copied + " rows kept, the rest unreadable (" + e.getMessage() + ")";
        }
        return table + ": " + copied + " rows kept";
    }

    private static Set<String> columns(Connection connection, String table) throws SQLException {
        Set<String> names = new LinkedHashSet<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                names.add(rs.getString("name"));
            }
        }
        return names;
    }

    /** Carries over the highest seq ever handed out, so seqs of lost entries are not reused. */
    private static void copyQueueSequence(Connection old, Connection fresh) throws SQLException {
        long seq;
        try (Statement statement = old.createStatement();
             ResultSet rs = statement.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = 'queue'")) {
            if (!rs.next()) {
                return;
            }
            seq = rs.getLong(1);
        } catch (SQLException e) {
            LOG.warn("sqlite store: the old queue sequence is unreadable ({}); continuing after the highest "
                    + "salvaged seq", e.getMessage());
            return;
        }
        try (PreparedStatement update = fresh.prepareStatement(
                "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'queue'")) {
            update.setLong(1, seq);
            if (update.executeUpdate() == 0) {
                try (PreparedStatement insert = fresh.prepareStatement(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES ('queue', ?)")) {
                    insert.setLong(1, seq);
                    insert.executeUpdate();
                }
            }
        }
    }

    /**
     * Queue entries whose message row was lost go; so do all entries of a message that lost some of
     * its entries (its recorded reference count says how many there were): enqueue is all or
     * nothing, so recovery keeps a fan-out in every queue or in none. Messages no entry references go.
     * An entry that holds its message (message_id NULL) references no row; one whose message columns
     * were unreadable was not copied (the queue table's CHECK).
     */
    private static String repairReferences(Connection fresh) throws SQLException {
        try (Statement statement = fresh.createStatement()) {
            // IS NOT NULL: NULL NOT IN (SELECT ...) is true when messages is empty
            int orphanEntries = statement.executeUpdate(
                    "DELETE FROM queue WHERE message_id IS NOT NULL AND message_id NOT IN (SELECT id FROM messages)");
            statement.executeUpdate("CREATE TEMP TABLE salvage_partial AS SELECT id FROM messages "
                    + "WHERE refs != (SELECT COUNT(*) FROM queue WHERE queue.message_id = messages.id)");
            int partialEntries = statement.executeUpdate(
                    "DELETE FROM queue WHERE message_id IN (SELECT id FROM salvage_partial)");
            statement.executeUpdate("DROP TABLE salvage_partial");
            int orphanMessages = statement.executeUpdate(
                    "DELETE FROM messages WHERE NOT EXISTS (SELECT 1 FROM queue WHERE queue.message_id = messages.id)");
            statement.executeUpdate("UPDATE messages SET payload_len = length(payload)");
            statement.executeUpdate("UPDATE queue SET payload_len = length(payload) WHERE message_id IS NULL");
            return "dropped " + orphanEntries + " queue entries whose message was lost, " + partialEntries
                    + " entries of messages that lost other entries of their fan-out, and " + orphanMessages
                    + " messages no queue referenced";
        }
    }
}
