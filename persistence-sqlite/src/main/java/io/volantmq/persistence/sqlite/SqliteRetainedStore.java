package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.RetainedStore;
import io.volantmq.persistence.StoredMessage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Retained messages keyed by topic. */
final class SqliteRetainedStore implements RetainedStore {
    private static final String COLUMNS = SqliteRows.MESSAGE_COLUMNS;
    private static final String PUT = "INSERT OR REPLACE INTO retained (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)";
    private static final String DELETE = "DELETE FROM retained WHERE topic = ?";
    private static final String GET = "SELECT " + COLUMNS + " FROM retained WHERE topic = ?";
    private static final String COUNT = "SELECT COUNT(*) FROM retained";
    private static final String FIRST_PAGE = "SELECT " + COLUMNS + " FROM retained ORDER BY topic LIMIT ?";
    private static final String NEXT_PAGE = "SELECT " + COLUMNS + " FROM retained WHERE topic > ? ORDER BY topic LIMIT ?";

    private final SqliteStore store;

    SqliteRetainedStore(SqliteStore store) {
        this.store = store;
    }

    @Override
    public void put(StoredMessage message) {
        store.transaction("put retained " + message.topic(), () -> {
            PreparedStatement ps = store.statement(PUT);
            SqliteRows.bind(ps, 1, message);
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public void delete(String topic) {
        store.transaction("delete retained " + topic, () -> {
            PreparedStatement ps = store.statement(DELETE);
            ps.setString(1, topic);
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public Optional<StoredMessage> get(String topic) {
        return store.transaction("get retained " + topic, () -> {
            PreparedStatement ps = store.statement(GET);
            ps.setString(1, topic);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(SqliteRows.read(rs, 1)) : Optional.empty();
            }
        });
    }

    @Override
    public long count() {
        return store.transaction("count retained", () -> {
            try (ResultSet rs = store.statement(COUNT).executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Pages by topic, visiting outside the lock: payloads are read a page at a time, not all at once. */
    @Override
    public void forEach(Consumer<StoredMessage> visitor) {
        String after = null;
        while (true) {
            String from = after;
            List<StoredMessage> page = store.transaction("list retained", () -> {
                PreparedStatement ps = store.statement(from == null ? FIRST_PAGE : NEXT_PAGE);
                int i = 1;
                if (from != null) {
                    ps.setString(i++, from);
                }
                ps.setInt(i, SqliteRows.PAGE);
                List<StoredMessage> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(SqliteRows.read(rs, 1));
                    }
                }
                return rows;
            });
            page.forEach(visitor);
            if (page.size() < SqliteRows.PAGE) {
                return;
            }
            after = page.get(page.size() - 1).topic();
        }
    }
}
