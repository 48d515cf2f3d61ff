package io.lockkit.mariadb;

import io.lockkit.jdbc.internal.Prepared;
import java.util.List;

/**
 * The MariaDB backend's lock and compare-and-set statements exactly as it sends them (default, quoted
 * names), for the benchmarks that time them raw beside the backend: read from {@link MariaDbSql}, so
 * they never drift from it as a copy would. Not API: for lockkit's benchmarks (module {@code bench}),
 * which compile against the backend's main jar only.
 */
public final class MariaDbStatements {
    /**
     * One statement: {@code named} with {@code :name} parameters, {@code jdbc} with JDBC's {@code ?}s,
     * and {@code names}, the parameter of each {@code ?} in order.
     */
    public record Statement(String named, String jdbc, List<String> names) {}

    private MariaDbStatements() {}

    /** The table variant's acquire ({@code :key}, {@code :owner}, {@code :micros}). */
    public static Statement acquire() {
        return of(MariaDbSql.ACQUIRE);
    }

    /** The table variant's release ({@code :key}, {@code :token}). */
    public static Statement release() {
        return of(MariaDbSql.RELEASE);
    }

    /** The advisory grant ({@code :row}, {@code :name}, {@code :wait_ms}). */
    public static Statement advisoryAcquire() {
        return of(MariaDbSql.ADVISORY_ACQUIRE);
    }

    /** The advisory release ({@code :name}). */
    public static Statement advisoryRelease() {
        return of(MariaDbSql.ADVISORY_RELEASE);
    }

    /** The rowlock variant's creation of a key's lock row ({@code :row}). */
    public static Statement rowLockCreate() {
        return of(MariaDbSql.ROWLOCK_CREATE);
    }

    /** The rowlock variant's grant without waiting ({@code :row}), in the lease's open transaction. */
    public static Statement rowLockTry() {
        return of(MariaDbSql.ROWLOCK_TRY);
    }

    /** The rowlock variant's flushing write of the token ({@code :grant}, {@code :token}, {@code :conn}). */
    public static Statement rowLockFlush() {
        return of(MariaDbSql.ROWLOCK_FLUSH);
    }

    /** Compare-and-set ({@code :value}, {@code :fence}, {@code :write_id}, {@code :key}, {@code :expected}, {@code :limit}). */
    public static Statement compareAndSet() {
        return of(MariaDbSql.CAS);
    }

    private static Statement of(String sql) {
        String named = MariaDbSql.render(
                sql,
                quoted(MariaDbBackend.DEFAULT_LOCK_TABLE),
                quoted(MariaDbBackend.DEFAULT_TOKEN_SEQUENCE),
                quoted(MariaDbBackend.DEFAULT_VERSIONED_TABLE));
        Prepared prepared = Prepared.of(named);
        return new Statement(named, prepared.sql(), prepared.names());
    }

    /** As the backend quotes a name it is given (the defaults have no schema part). */
    private static String quoted(String name) {
        return '`' + name + '`';
    }
}
