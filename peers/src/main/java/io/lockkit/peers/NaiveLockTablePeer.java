package io.lockkit.peers;

import io.lockkit.LockKitException;
import io.lockkit.peers.internal.PeerHold;
import io.lockkit.peers.internal.PeerLock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The incident pattern (INCIDENTS.md rows 1, 2, 5), by hand over JDBC in autocommit (each statement
 * its own transaction): {@code SELECT} the key's row; if there is one that has not expired, the
 * lock is held; otherwise {@code DELETE} the expired row if any and {@code INSERT} a new one.
 * Check-then-act, so two workers can both see the key free: the second {@code INSERT} then fails
 * with a duplicate key, and that error propagates as it did in users' code (a {@link
 * LockKitException} with the driver's {@code SQLException} as cause); or a late {@code DELETE} of
 * an "expired" row deletes a fresh one, and both hold. Release is an unconditional {@code DELETE
 * WHERE key = ?} (no owner check), reporting whether it deleted a row. No extend (false), no token.
 * Thread-safe.
 */
final class NaiveLockTablePeer implements PeerLock {
    private final DataSource pool;
    private final String select;
    private final String deleteExpired;
    private final String insert;
    private final String delete;

    NaiveLockTablePeer(DataSource pool, String table) {
        this.pool = pool;
        this.select = "SELECT expires_at > now() FROM " + table + " WHERE key = ?";
        this.deleteExpired = "DELETE FROM " + table + " WHERE key = ?";
        this.insert = "INSERT INTO " + table + " (key, expires_at) VALUES (?, now() + ? * interval '1 millisecond')";
        this.delete = "DELETE FROM " + table + " WHERE key = ?";
    }

    /** The table's DDL. */
    static String ddl(String table) {
        return "CREATE TABLE " + table + " (key TEXT PRIMARY KEY, expires_at TIMESTAMPTZ NOT NULL)";
    }

    @Override
    public Optional<PeerHold> tryLock(String key, Duration lease) throws SQLException {
        try (Connection c = pool.getConnection()) {
            Boolean current = current(c, key);
            if (Boolean.TRUE.equals(current)) {
                return Optional.empty();
            }
            if (current != null) {
                update(c, deleteExpired, key);
            }
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setString(1, key);
                ps.setLong(2, lease.toMillis());
                ps.executeUpdate();
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    throw new LockKitException(
                            "naive lock table: INSERT of '" + key + "' failed: " + e.getMessage(), e);
                }
                throw e;
            }
        }
        return Optional.of(new PeerHold() {
            @Override
            public boolean canExtend() {
                return false; // the pattern has none
            }

            @Override
            public boolean extend(Duration lease) {
                throw new UnsupportedOperationException("no extend");
            }

            @Override
            public boolean release() throws SQLException {
                try (Connection c = pool.getConnection()) {
                    return update(c, delete, key) > 0;
                }
            }
        });
    }

    /** Null when there is no row; else whether it has not expired. */
    private @Nullable Boolean current(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(select)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    private static int update(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            return ps.executeUpdate();
        }
    }
}
