package io.lockkit.postgresql;

import io.lockkit.jdbc.internal.Prepared;
import java.util.List;

/**
 * The table variant's acquire and release statements exactly as the backend sends them (default
 * table names), for the benchmarks that time them raw beside the backend: read from {@link Sql}, so
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

    private static Statement of(String sql) {
        String named = Sql.render(sql, TableNames.DEFAULT);
        Prepared prepared = Prepared.of(named);
        return new Statement(named, prepared.sql(), prepared.names());
    }
}
