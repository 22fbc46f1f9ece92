package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.SessionStore;
import io.volantmq.persistence.StoredMessage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Sessions, one row each; the will and the owner in nullable columns. */
final class SqliteSessionStore implements SessionStore {
    private static final String COLUMNS = "client_id, protocol_version, expiry_interval, disconnected_at, "
            + "will_delay, will_topic, will_qos, will_retain, will_payload, will_properties, will_created_at, "
            + "will_expires_at, owner";
    private static final String PUT = "INSERT OR REPLACE INTO sessions (" + COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String GET = "SELECT " + COLUMNS + " FROM sessions WHERE client_id = ?";
    private static final String DELETE = "DELETE FROM sessions WHERE client_id = ?";
    private static final String FIRST_PAGE = "SELECT " + COLUMNS + " FROM sessions ORDER BY client_id LIMIT ?";
    private static final String NEXT_PAGE = "SELECT " + COLUMNS + " FROM sessions WHERE client_id > ? ORDER BY client_id LIMIT ?";

    private final SqliteStore store;

    SqliteSessionStore(SqliteStore store) {
        this.store = store;
    }

    @Override
    public void put(SessionState state) {
        store.transaction("put session " + state.clientId(), () -> {
            PreparedStatement ps = store.statement(PUT);
            ps.setString(1, state.clientId());
            ps.setInt(2, state.protocolVersion());
            ps.setLong(3, state.expiryIntervalSeconds());
            ps.setLong(4, state.disconnectedAtMillis());
            ps.setLong(5, state.willDelaySeconds());
            if (state.will() != null) {
                SqliteRows.bind(ps, 6, state.will());
            } else {
                for (int i = 6; i <= 12; i++) {
                    ps.setNull(i, Types.NULL);
                }
            }
            ps.setString(13, state.owner());
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public Optional<SessionState> get(String clientId) {
        return store.transaction("get session " + clientId, () -> {
            PreparedStatement ps = store.statement(GET);
            ps.setString(1, clientId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        });
    }

    @Override
    public void delete(String clientId) {
        store.transaction("delete session " + clientId, () -> {
            PreparedStatement ps = store.statement(DELETE);
            ps.setString(1, clientId);
            ps.executeUpdate();
            return null;
        });
    }

    /** Pages by client id, visiting outside the lock, so a visitor may call the store. */
    @Override
    public void forEach(Consumer<SessionState> visitor) {
        String after = null;
        while (true) {
            String from = after;
            List<SessionState> page = store.transaction("list sessions", () -> {
                PreparedStatement ps = store.statement(from == null ? FIRST_PAGE : NEXT_PAGE);
                int i = 1;
                if (from != null) {
                    ps.setString(i++, from);
                }
                ps.setInt(i, SqliteRows.PAGE);
                List<SessionState> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(read(rs));
                    }
                }
                return rows;
            });
            page.forEach(visitor);
            if (page.size() < SqliteRows.PAGE) {
                return;
            }
            after = page.get(page.size() - 1).clientId();
        }
    }

    private static SessionState read(ResultSet rs) throws SQLException {
        rs.getString(6);
        StoredMessage will = rs.wasNull() ? null : SqliteRows.read(rs, 6);
        return new SessionState(rs.getString(1), rs.getInt(2), rs.getLong(3), rs.getLong(4), will, rs.getLong(5),
                rs.getString(13));
    }
}
