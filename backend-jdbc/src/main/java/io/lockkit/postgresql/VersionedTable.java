package io.lockkit.postgresql;

import io.lockkit.FencedOutException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jspecify.annotations.Nullable;

/**
 * Optimistic updates of rows of the user's own table — the Rails {@code lock_version} / JPA
 * {@code @Version} pattern without an ORM — run on the caller's own JDBI {@link Handle}, so the
 * version check and the caller's other writes commit or roll back together. Each update is one
 * statement: the row is written only if its version column still holds the expected version
 * (V1), and the version is incremented. With a fence column, a write carrying a fencing token
 * lower than one that already wrote the row is refused with {@link FencedOutException} (V3).
 *
 * <p>Table and column names are validated lowercase identifiers and quoted, so nothing can inject
 * SQL (E1). Errors of the caller's transaction (such as 40001 under {@code SERIALIZABLE}) are
 * passed through: the whole transaction must be retried, not just this statement. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * VersionedTable jobs = VersionedTable.builder("jobs").build(); // columns id, lock_version
 * jdbi.useTransaction(h -> {
 *     long v = jobs.version(h, 42).orElseThrow();
 *     if (jobs.update(h, 42, v, Map.of("status", "DONE")).isEmpty()) {
 *         throw new IllegalStateException("job 42 was changed by someone else first");
 *     }
 *     h.execute("INSERT INTO audit ...");
 * });
 * }</pre>
 */
public final class VersionedTable {
    private final String table;
    private final String id;
    private final String version;
    private final @Nullable String fence;

    private VersionedTable(Builder b) {
        this.table = Identifiers.table("table", b.table);
        this.id = Identifiers.column("idColumn", b.idColumn);
        this.version = Identifiers.column("versionColumn", b.versionColumn);
        this.fence = b.fenceColumn == null ? null : Identifiers.column("fenceColumn", b.fenceColumn);
    }

    /** A mapping onto {@code table}, with columns {@code id} and {@code lock_version} unless changed. */
    public static Builder builder(String table) {
        return new Builder(table);
    }

    /** The row's current version, or empty when there is no row with this id. */
    public OptionalLong version(Handle handle, Object idValue) {
        return optional(handle.createQuery("SELECT " + version + " FROM " + table + " WHERE " + id + " = :id")
                .bind("id", idValue)
                .mapTo(Long.class)
                .findOne()
                .orElse(null));
    }

    /**
     * Sets {@code values} (column → value) and increments the version if the row's version is
     * {@code expectedVersion}; returns the new version, or empty when the version moved on or the
     * row is gone (V1). One statement, in the caller's transaction.
     */
    public OptionalLong update(Handle handle, Object idValue, long expectedVersion, Map<String, ?> values) {
        List<Map.Entry<String, ?>> columns =
                List.copyOf(Objects.requireNonNull(values, "values").entrySet());
        String sql = "UPDATE " + table + " SET " + assignments(columns) + version + " = " + version + " + 1" + " WHERE "
                + id + " = :id AND " + version + " = :expected RETURNING " + version;
        Query query = bind(handle.createQuery(sql), columns).bind("id", idValue).bind("expected", expectedVersion);
        return optional(query.mapTo(Long.class).findOne().orElse(null));
    }

    /**
     * {@link #update} fenced by a lease token (V3): refused with {@link FencedOutException} when a
     * larger token has already written the row, whatever the version; a successful write records
     * the token. Needs a fence column ({@code bigint}; null reads as 0).
     */
    public OptionalLong update(
            Handle handle, Object idValue, long expectedVersion, long fencingToken, Map<String, ?> values) {
        if (fence == null) {
            throw new IllegalStateException("no fence column configured for " + table);
        }
        List<Map.Entry<String, ?>> columns =
                List.copyOf(Objects.requireNonNull(values, "values").entrySet());
        // As Sql.FENCED_CAS: lock the latest row, write only if the version matches and no larger token wrote.
        String sql = "WITH current AS MATERIALIZED (SELECT " + version + " AS version, coalesce(" + fence
                + ", 0) AS fence FROM " + table + " WHERE " + id + " = :id FOR UPDATE),"
                + " written AS (UPDATE " + table + " t SET " + assignments(columns) + version + " = t." + version
                + " + 1, " + fence + " = :token FROM current WHERE t." + id + " = :id"
                + " AND current.version = :expected AND current.fence <= :token RETURNING t." + version + ")"
                + " SELECT (SELECT " + version + " FROM written) AS version, (SELECT fence FROM current) AS fence";
        Query query = bind(handle.createQuery(sql), columns)
                .bind("id", idValue)
                .bind("expected", expectedVersion)
                .bind("token", fencingToken);
        record Outcome(@Nullable Long version, @Nullable Long fence) {}
        Outcome outcome = query.map((rs, ctx) ->
                        new Outcome(rs.getObject("version", Long.class), rs.getObject("fence", Long.class)))
                .one();
        if (outcome.version() == null && outcome.fence() != null && outcome.fence() > fencingToken) {
            throw new FencedOutException(table + " " + idValue, fencingToken, outcome.fence());
        }
        return optional(outcome.version());
    }

    /**
     * {@code "column" = :v0, …} for the caller's values. E1: the version and fence columns are this
     * class's to write (V1, V3): setting either would let a write undo the check it passed, so a map
     * naming one is refused before anything is sent.
     */
    private String assignments(List<Map.Entry<String, ?>> columns) {
        StringBuilder sets = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            String column = Identifiers.column("column", columns.get(i).getKey());
            if (column.equals(version) || column.equals(fence)) {
                throw new IllegalArgumentException(
                        "values must not set the " + (column.equals(version) ? "version" : "fence") + " column "
                                + column + " of " + table + ": it is written by the update itself");
            }
            sets.append(column).append(" = :v").append(i).append(", ");
        }
        return sets.toString();
    }

    private static Query bind(Query query, List<Map.Entry<String, ?>> columns) {
        for (int i = 0; i < columns.size(); i++) {
            query.bind("v" + i, columns.get(i).getValue());
        }
        return query;
    }

    private static OptionalLong optional(@Nullable Long value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** Builds a {@link VersionedTable}; names are validated by {@link #build()}. */
    public static final class Builder {
        private final String table;
        private String idColumn = "id";
        private String versionColumn = "lock_version";
        private @Nullable String fenceColumn;

        private Builder(String table) {
            this.table = table;
        }

        public Builder idColumn(String idColumn) {
            this.idColumn = idColumn;
            return this;
        }

        public Builder versionColumn(String versionColumn) {
            this.versionColumn = versionColumn;
            return this;
        }

        /** A {@code bigint} column holding the highest fencing token that wrote the row. */
        public Builder fenceColumn(String fenceColumn) {
            this.fenceColumn = fenceColumn;
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad identifier (E1) */
        public VersionedTable build() {
            return new VersionedTable(this);
        }
    }
}
