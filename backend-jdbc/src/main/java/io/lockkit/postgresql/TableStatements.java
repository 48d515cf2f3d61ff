package io.lockkit.postgresql;

import io.lockkit.jdbc.internal.Prepared;
import java.util.List;

/**
 * The table variant's acquire and release statements, and the row-lock variant's, exactly as the
 * backend sends them (default table names), for the benchmarks that time them raw beside the backend: read from {@link Sql}, so
 * they never drift from it as a copy would. Not API: for lockkit's benchmarks (module {@code bench}),
 * which compile against the backend's main jar only.
 */
public final class TableStatements {
    /**
     * One statement: {@code named} with Jdbi's {@code :name} parameters, {@code jdbc} with JDBC's
     * {@code ?}s, and {@code names}, the parameter of each {@code ?} in order.
     */
    public record Statement(String named, String jdbc, List<String> names) {}

    private TableStatements() {}

    public static Statement acquire() {
        return of(Sql.TABLE_ACQUIRE);
    }

    public static Statement release() {
        return of(Sql.TABLE_RELEASE);
    }

    /** The row-lock variant's grant, sent in a transaction that stays open for the lease. */
    public static Statement rowLockAcquire() {
        return of(Sql.ROWLOCK_ACQUIRE);
    }

    /** The row-lock variant's flush of the token, on a second (autocommit) session. */
    public static Statement flush() {
        return of(Sql.FLUSH);
    }

    /** The row-lock variant's release: the wait-marker check and the commit, one round trip. */
    public static Statement rowLockRelease() {
        return of(Sql.ROWLOCK_RELEASE);
    }

    /** The row-lock variant's creation of a key's row, committed before the first grant. */
    public static Statement rowLockCreate() {
        return of(Sql.ROWLOCK_CREATE);
    }

    private static Statement of(String sql) {
        String named = Sql.render(sql, TableNames.DEFAULT);
        Prepared prepared = Prepared.of(named);
        return new Statement(named, prepared.sql(), prepared.names());
    }
}
