package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.InflightState;
import io.volantmq.persistence.MessageStore;
import io.volantmq.persistence.QueueAppend;
import io.volantmq.persistence.QueueStats;
import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.StoredMessage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Queues as rows of {@code queue}, in two shapes:
 * <ul>
 *   <li>a message enqueued for one session (most are) is kept in its entry's own columns
 *       ({@code topic}, {@code msg_qos}, {@code msg_retain}, {@code payload}, {@code properties},
 *       {@code created_at}, {@code expires_at}, {@code payload_len}) with {@code message_id} NULL:
 *       one row to insert and one to delete;</li>
 *   <li>a message enqueued for several sessions is stored once, in {@code messages}; its entries
 *       point at it through {@code message_id}, and the row counts its references ({@code refs})
 *       and goes with the last one.</li>
 * </ul>
 * Seq is the queue table's AUTOINCREMENT key: store-wide, strictly increasing, never reused (SQLite
 * keeps the highest one in {@code sqlite_sequence}, also after a restart). {@link #stats} sums over
 * the client's entries. Removing entries now and then gives free pages back to the file system
 * ({@link SqliteReclaim}).
 */
final class SqliteMessageStore implements MessageStore {
    private static final String INSERT_MESSAGE = "INSERT INTO messages (" + SqliteRows.MESSAGE_COLUMNS
            + ", payload_len, refs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
    private static final String INSERT_ENTRY = "INSERT INTO queue (client_id, message_id, qos, retain, "
            + "subscription_ids, packet_id, state) VALUES (?, ?, ?, ?, ?, 0, '" + InflightState.QUEUED.name() + "')";
    /** The queue's columns of an entry that holds its message: {@link SqliteRows}' seven, then payload_len. */
    private static final String INLINE_COLUMNS =
            "topic, msg_qos, msg_retain, payload, properties, created_at, expires_at, payload_len";
    private static final String INSERT_INLINE = "INSERT INTO queue (client_id, qos, retain, subscription_ids, "
            + "packet_id, state, " + INLINE_COLUMNS + ") VALUES (?, ?, ?, ?, 0, '" + InflightState.QUEUED.name()
            + "', ?, ?, ?, ?, ?, ?, ?, ?)";
    /**
     * Column 7 says which seven columns hold the message: the entry's (8 to 14) or the shared row's (15 to 21). An
     * entry whose shared row is gone (only a damaged file has one) is left out, as the inner join did before.
     */
    private static final String READ = "SELECT q.seq, q.qos, q.retain, q.subscription_ids, q.packet_id, q.state, "
            + "q.message_id IS NULL, q.topic, q.msg_qos, q.msg_retain, q.payload, q.properties, q.created_at, "
            + "q.expires_at, m.topic, m.qos, m.retain, m.payload, m.properties, m.created_at, m.expires_at "
            + "FROM queue q LEFT JOIN messages m ON m.id = q.message_id "
            + "WHERE q.client_id = ? AND q.seq > ? AND (q.message_id IS NULL OR m.id IS NOT NULL) "
            + "ORDER BY q.seq LIMIT ?";
    private static final String UPDATE = "UPDATE queue SET packet_id = ?, state = ? WHERE client_id = ? AND seq = ?";
    private static final String DELETE_ENTRY = "DELETE FROM queue WHERE client_id = ? AND seq = ? RETURNING message_id";
    /** The message's last reference goes: the row with it. */
    private static final String DELETE_LAST_REFERENCE = "DELETE FROM messages WHERE id = ? AND refs <= 1";
    private static final String RELEASE = "UPDATE messages SET refs = refs - 1 WHERE id = ?";
    private static final String CLEAR_RELEASE = "UPDATE messages SET refs = refs - "
            + "(SELECT COUNT(*) FROM queue q WHERE q.message_id = messages.id AND q.client_id = ?) "
            + "WHERE id IN (SELECT message_id FROM queue WHERE client_id = ?)";
    private static final String CLEAR_MESSAGES = "DELETE FROM messages WHERE refs <= 0 "
            + "AND id IN (SELECT message_id FROM queue WHERE client_id = ?)";
    private static final String CLEAR_QUEUE = "DELETE FROM queue WHERE client_id = ?";
    private static final String CLEAR_QOS2 = "DELETE FROM incoming_qos2 WHERE client_id = ?";
    private static final String STATS = "SELECT COUNT(*), COALESCE(SUM(IFNULL(q.payload_len, m.payload_len)), 0) "
            + "FROM queue q LEFT JOIN messages m ON m.id = q.message_id WHERE q.client_id = ?";
    private static final String ADD_QOS2 = "INSERT OR IGNORE INTO incoming_qos2 (client_id, packet_id) VALUES (?, ?)";
    private static final String REMOVE_QOS2 = "DELETE FROM incoming_qos2 WHERE client_id = ? AND packet_id = ?";
    private static final String LIST_QOS2 = "SELECT packet_id FROM incoming_qos2 WHERE client_id = ?";

    private final SqliteStore store;
    /** Removals are where free pages appear, so they decide when to give space back. */
    private final SqliteReclaim reclaim;

    SqliteMessageStore(SqliteStore store) {
        this.store = store;
        this.reclaim = new SqliteReclaim(store);
    }

    /** One transaction: the message row and every entry are committed together or not at all. */
    @Override
    public void enqueue(StoredMessage message, List<QueueTarget> targets) {
        if (targets.isEmpty()) {
            return;
        }
        store.transaction("enqueue " + message.topic() + " for " + targets.size() + " sessions", () -> {
            insert(message, targets);
            return null;
        });
    }

    /** Every append in one transaction: one commit (and sync) for all of them. */
    @Override
    public void enqueueAll(List<QueueAppend> appends) {
        if (appends.isEmpty()) {
            return;
        }
        store.transaction("enqueue " + appends.size() + " messages", () -> {
            for (QueueAppend append : appends) {
                if (!append.targets().isEmpty()) {
                    insert(append.message(), append.targets());
                }
            }
            return null;
        });
    }

    /** The entry holding the message, or the shared message row and its entries; inside a transaction. */
    private void insert(StoredMessage message, List<QueueTarget> targets) throws SQLException {
        if (targets.size() == 1) {
            QueueTarget target = targets.get(0);
            PreparedStatement inline = store.statement(INSERT_INLINE);
            inline.setString(1, target.clientId());
            inline.setInt(2, target.qos());
            inline.setInt(3, target.retain() ? 1 : 0);
            inline.setString(4, encodeIds(target.subscriptionIds()));
            SqliteRows.bind(inline, 5, message);
            inline.setLong(12, message.payload().length);
            inline.executeUpdate();
            return;
        }
        PreparedStatement insert = store.statement(INSERT_MESSAGE);
        SqliteRows.bind(insert, 1, message);
        insert.setLong(8, message.payload().length);
        insert.setLong(9, targets.size());
        long messageId;
        try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            messageId = rs.getLong(1);
        }
        PreparedStatement entry = store.statement(INSERT_ENTRY);
        for (QueueTarget target : targets) {
            entry.setString(1, target.clientId());
            entry.setLong(2, messageId);
            entry.setInt(3, target.qos());
            entry.setInt(4, target.retain() ? 1 : 0);
            entry.setString(5, encodeIds(target.subscriptionIds()));
            entry.addBatch();
        }
        entry.executeBatch();
    }

    @Override
    public List<QueuedMessage> read(String clientId, long afterSeq, int max) {
        if (max <= 0) {
            return List.of();
        }
        return store.read("read queue " + clientId, statements -> {
            PreparedStatement ps = statements.get(READ);
            ps.setString(1, clientId);
            ps.setLong(2, afterSeq);
            ps.setInt(3, max);
            List<QueuedMessage> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StoredMessage message = SqliteRows.read(rs, rs.getInt(7) != 0 ? 8 : 15);
                    result.add(new QueuedMessage(rs.getLong(1), message, rs.getInt(2),
                            rs.getInt(3) != 0, decodeIds(rs.getString(4)), rs.getInt(5),
                            InflightState.valueOf(rs.getString(6))));
                }
            }
            return result;
        });
    }

    @Override
    public void updateInflight(String clientId, long seq, int packetId, InflightState state) {
        store.transaction("update inflight " + clientId + " " + seq, () -> {
            PreparedStatement ps = store.statement(UPDATE);
            ps.setInt(1, packetId);
            ps.setString(2, state.name());
            ps.setString(3, clientId);
            ps.setLong(4, seq);
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public void remove(String clientId, long seq) {
        boolean reclaimDue = store.transaction("remove " + clientId + " " + seq,
                () -> deleteEntry(clientId, seq) && reclaim.removed(1));
        if (reclaimDue) {
            reclaim.run();
        }
    }

    /** As {@link #remove} for each, in one transaction: one commit for a whole read's acknowledgements. */
    @Override
    public void removeAll(String clientId, long[] seqs, int count) {
        if (count == 0) {
            return;
        }
        boolean reclaimDue = store.transaction("remove " + count + " entries of " + clientId, () -> {
            int removed = 0;
            for (int i = 0; i < count; i++) {
                if (deleteEntry(clientId, seqs[i])) {
                    removed++;
                }
            }
            return removed > 0 && reclaim.removed(removed);
        });
        if (reclaimDue) {
            reclaim.run();
        }
    }

    /**
     * Deletes one entry and releases its message, inside the caller's transaction; false if absent. One statement
     * for an entry that holds its message, two or three for one that points at a shared message (the entry, then
     * the message if this was its last reference, else its count).
     */
    private boolean deleteEntry(String clientId, long seq) throws SQLException {
        PreparedStatement delete = store.statement(DELETE_ENTRY);
        delete.setString(1, clientId);
        delete.setLong(2, seq);
        long messageId;
        try (ResultSet rs = delete.executeQuery()) {
            if (!rs.next()) {
                return false;
            }
            messageId = rs.getLong(1);
            if (rs.wasNull()) {
                return true;  // the message was in the entry
            }
        }
        PreparedStatement last = store.statement(DELETE_LAST_REFERENCE);
        last.setLong(1, messageId);
        if (last.executeUpdate() == 0) {
            PreparedStatement release = store.statement(RELEASE);
            release.setLong(1, messageId);
            release.executeUpdate();
        }
        return true;
    }

    @Override
    public void clear(String clientId) {
        boolean reclaimDue = store.transaction("clear queue " + clientId, () -> {
            // release the references first, while the entries still say which messages they hold; entries
            // holding their message (message_id NULL) match no messages row and simply go with the queue rows
            PreparedStatement release = store.statement(CLEAR_RELEASE);
            release.setString(1, clientId);
            release.setString(2, clientId);
            release.executeUpdate();
            int entries = 0;
            for (String sql : new String[] {CLEAR_MESSAGES, CLEAR_QUEUE, CLEAR_QOS2}) {
                PreparedStatement ps = store.statement(sql);
                ps.setString(1, clientId);
                int rows = ps.executeUpdate();
                if (sql.equals(CLEAR_QUEUE)) {
                    entries = rows;
                }
            }
            return reclaim.removed(entries);
        });
        if (reclaimDue) {
            reclaim.run();
        }
    }

    @Override
    public QueueStats stats(String clientId) {
        // on the read connection: the queue bound asks from an event loop, which must not wait for a lane's sync
        return store.read("stats " + clientId, statements -> {
            PreparedStatement ps = statements.get(STATS);
            ps.setString(1, clientId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long messages = rs.getLong(1);
                return messages == 0 ? QueueStats.EMPTY : new QueueStats(messages, rs.getLong(2));
            }
        });
    }

    @Override
    public void addIncomingQos2(String clientId, int packetId) {
        store.transaction("add incoming qos2 " + clientId + " " + packetId, () -> {
            PreparedStatement ps = store.statement(ADD_QOS2);
            ps.setString(1, clientId);
            ps.setInt(2, packetId);
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public void removeIncomingQos2(String clientId, int packetId) {
        store.transaction("remove incoming qos2 " + clientId + " " + packetId, () -> {
            PreparedStatement ps = store.statement(REMOVE_QOS2);
            ps.setString(1, clientId);
            ps.setInt(2, packetId);
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public Set<Integer> incomingQos2(String clientId) {
        return store.transaction("incoming qos2 " + clientId, () -> {
            PreparedStatement ps = store.statement(LIST_QOS2);
            ps.setString(1, clientId);
            Set<Integer> ids = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
            return Set.copyOf(ids);
        });
    }

    private static String encodeIds(List<Integer> ids) {
        StringJoiner joiner = new StringJoiner(",");
        ids.forEach(id -> joiner.add(Integer.toString(id)));
        return joiner.toString();
    }

    private static List<Integer> decodeIds(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        List<Integer> ids = new ArrayList<>();
        for (String part : text.split(",")) {
            ids.add(Integer.parseInt(part));
        }
        return ids;
    }
}
