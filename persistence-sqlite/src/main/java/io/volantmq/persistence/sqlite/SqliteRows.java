package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.StoredMessage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A {@link StoredMessage} as seven columns in this order: topic, qos, retain, payload, properties,
 * created_at, expires_at. Used by the retained, messages and (for the will) sessions tables, and by a
 * queue entry that holds its message (there qos and retain are msg_qos and msg_retain).
 */
final class SqliteRows {
    static final String MESSAGE_COLUMNS = "topic, qos, retain, payload, properties, created_at, expires_at";
    /** How many rows a forEach reads per transaction, so visiting never holds the lock for long. */
    static final int PAGE = 256;

    private SqliteRows() {
    }

    /** Binds the message to parameters {@code first .. first + 6}. */
    static void bind(PreparedStatement ps, int first, StoredMessage m) throws SQLException {
        ps.setString(first, m.topic());
        ps.setInt(first + 1, m.qos());
        ps.setInt(first + 2, m.retain() ? 1 : 0);
        ps.setBytes(first + 3, m.payload());
        ps.setBytes(first + 4, m.properties());
        ps.setLong(first + 5, m.createdAtMillis());
        ps.setLong(first + 6, m.expiresAtMillis());
    }

    /** Reads the message from columns {@code first .. first + 6}. */
    static StoredMessage read(ResultSet rs, int first) throws SQLException {
        return new StoredMessage(rs.getString(first), rs.getInt(first + 1), rs.getInt(first + 2) != 0,
                rs.getBytes(first + 3), rs.getBytes(first + 4), rs.getLong(first + 5), rs.getLong(first + 6));
    }
}
