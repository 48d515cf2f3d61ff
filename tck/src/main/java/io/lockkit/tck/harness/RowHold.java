package io.lockkit.tck.harness;

import io.lockkit.tck.StoreFaults;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * {@link StoreFaults#holdKey} for a lock table in a SQL database: a connection of its own holds the
 * key's row with {@code SELECT … FOR UPDATE} in an open transaction, and a query on the server's
 * lock view tells whether some request waits on a lock that this connection holds (never a wait
 * elsewhere on a shared server). Closing rolls back and closes the connection. The key is stored as
 * its UTF-8 bytes (the kit's keys are ASCII). Not thread-safe.
 */
public final class RowHold implements StoreFaults.HeldKey {
    /** Opens a connection to the store's database. */
    @FunctionalInterface
    public interface Connect {
        Connection open() throws SQLException;
    }

    private final Connection holder;
    private final Connect connect;
    private final String waitersSql;
    private final long holderId;

    /**
     * @param lockRowSql {@code SELECT … FROM table WHERE key_column = ? FOR UPDATE}
     * @param holderIdSql the holding session's server id ({@code SELECT pg_backend_pid()})
     * @param waitersSql a query whose first column counts the requests waiting on a lock held by the
     *     session whose id is each of its parameters
     */
    public static RowHold hold(Connect connect, String lockRowSql, String key, String holderIdSql, String waitersSql) {
        try {
            Connection c = connect.open();
            try {
                c.setAutoCommit(false);
                try (PreparedStatement lock = c.prepareStatement(lockRowSql)) {
                    lock.setBytes(1, key.getBytes(StandardCharsets.UTF_8));
                    try (ResultSet rs = lock.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalStateException("the store has no record of '" + key + "' to hold");
                        }
                    }
                }
                long id;
                try (PreparedStatement self = c.prepareStatement(holderIdSql);
                        ResultSet rs = self.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
                return new RowHold(c, connect, waitersSql, id);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not hold the record of '" + key + "': " + e.getMessage(), e);
        }
    }

    private RowHold(Connection holder, Connect connect, String waitersSql, long holderId) {
        this.holder = holder;
        this.connect = connect;
        this.waitersSql = waitersSql;
        this.holderId = holderId;
    }

    @Override
    public boolean awaitWaiter(Duration guard) throws InterruptedException {
        try (Connection c = connect.open();
                PreparedStatement waiters = c.prepareStatement(waitersSql)) {
            long parameters = waitersSql.chars().filter(ch -> ch == '?').count();
            for (int i = 1; i <= parameters; i++) {
                waiters.setLong(i, holderId);
            }
            return Poll.until(guard, () -> {
                try (ResultSet rs = waiters.executeQuery()) {
                    return rs.next() && rs.getLong(1) > 0;
                } catch (SQLException e) {
                    throw new IllegalStateException("could not read the store's lock waits: " + e.getMessage(), e);
                }
            });
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the store's lock waits: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try (holder) {
            holder.rollback();
        } catch (SQLException e) {
            throw new IllegalStateException("could not let the held record go: " + e.getMessage(), e);
        }
    }
}
