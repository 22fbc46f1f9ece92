package io.volantmq.persistence.sqlite;

import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.SubscriptionStore;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** Subscriptions; the row id keeps the order of first subscription. */
final class SqliteSubscriptionStore implements SubscriptionStore {
    private static final String COLUMNS = "client_id, filter, qos, no_local, retain_as_published, retain_handling, "
            + "subscription_id";
    // an upsert, not INSERT OR REPLACE: replacing would give the row a new id and move it to the end
    private static final String PUT = "INSERT INTO subscriptions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?) "
            + "ON CONFLICT (client_id, filter) DO UPDATE SET qos = excluded.qos, no_local = excluded.no_local, "
            + "retain_as_published = excluded.retain_as_published, retain_handling = excluded.retain_handling, "
            + "subscription_id = excluded.subscription_id";
    private static final String DELETE = "DELETE FROM subscriptions WHERE client_id = ? AND filter = ?";
    private static final String DELETE_ALL = "DELETE FROM subscriptions WHERE client_id = ?";
    private static final String GET = "SELECT id, " + COLUMNS + " FROM subscriptions WHERE client_id = ? ORDER BY id";
    private static final String PAGE = "SELECT id, " + COLUMNS + " FROM subscriptions WHERE id > ? ORDER BY id LIMIT ?";

    private final SqliteStore store;

    private record Row(long id, String clientId, StoredSubscription subscription) {
    }

    SqliteSubscriptionStore(SqliteStore store) {
        this.store = store;
    }

    @Override
    public void put(String clientId, StoredSubscription s) {
        store.transaction("put subscription " + clientId + " " + s.filter(), () -> {
            PreparedStatement ps = store.statement(PUT);
            ps.setString(1, clientId);
            ps.setString(2, s.filter());
            ps.setInt(3, s.qos());
            ps.setInt(4, s.noLocal() ? 1 : 0);
            ps.setInt(5, s.retainAsPublished() ? 1 : 0);
            ps.setInt(6, s.retainHandling());
            ps.setInt(7, s.subscriptionId());
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public void delete(String clientId, String filter) {
        store.transaction("delete subscription " + clientId + " " + filter, () -> {
            PreparedStatement ps = store.statement(DELETE);
            ps.setString(1, clientId);
            ps.setString(2, filter);
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public void deleteAll(String clientId) {
        store.transaction("delete subscriptions " + clientId, () -> {
            PreparedStatement ps = store.statement(DELETE_ALL);
            ps.setString(1, clientId);
            ps.executeUpdate();
            return null;
        });
    }

    @Override
    public List<StoredSubscription> get(String clientId) {
        return store.transaction("get subscriptions " + clientId, () -> {
            PreparedStatement ps = store.statement(GET);
            ps.setString(1, clientId);
            List<StoredSubscription> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(read(rs));
                }
            }
            return result;
        });
    }

    /** Pages by row id, visiting outside the lock, so a visitor may call the store. */
    @Override
    public void forEach(BiConsumer<String, StoredSubscription> visitor) {
        long after = Long.MIN_VALUE;
        while (true) {
            long from = after;
            List<Row> page = store.transaction("list subscriptions", () -> {
                PreparedStatement ps = store.statement(PAGE);
                ps.setLong(1, from);
                ps.setInt(2, SqliteRows.PAGE);
                List<Row> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(rs.getLong(1), rs.getString(2), read(rs)));
                    }
                }
                return rows;
            });
            for (Row row : page) {
                visitor.accept(row.clientId(), row.subscription());
            }
            if (page.size() < SqliteRows.PAGE) {
                return;
            }
            after = page.get(page.size() - 1).id();
        }
    }

    private static StoredSubscription read(ResultSet rs) throws SQLException {
        return new StoredSubscription(rs.getString(3), rs.getInt(4), rs.getInt(5) != 0, rs.getInt(6) != 0,
                rs.getInt(7), rs.getInt(8));
    }
}
