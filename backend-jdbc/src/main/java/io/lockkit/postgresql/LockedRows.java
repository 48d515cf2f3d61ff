package io.lockkit.postgresql;

import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Handle;

/**
 * The incident pattern "lock this row of my own table, re-read it, decide, write", done right: the
 * row is locked and re-read in one statement ({@code SELECT * … FOR UPDATE SKIP LOCKED}) inside the
 * caller's transaction, so the decision is made on the current row, not a stale copy (INCIDENTS.md
 * row 3), and the caller's writes commit together with the end of the lock. It never waits and
 * never aborts the caller's transaction: a row held by another transaction (or absent) is an empty
 * result (L6). Use it under {@code READ COMMITTED}. Table and id column are validated identifiers
 * (E1). Immutable and thread-safe.
 *
 * <pre>{@code
 * LockedRows jobs = LockedRows.of("jobs", "id");
 * Optional<Boolean> started = jdbi.inTransaction(h -> jobs.inLockedRow(h, 42, (tx, row) -> {
 *     if (!"PENDING".equals(row.get("status"))) {
 *         return false; // someone else already moved it on: decide on the fresh row
 *     }
 *     tx.createUpdate("UPDATE jobs SET status = 'RUNNING' WHERE id = 42").execute();
 *     return true;
 * }));
 * }</pre>
 */
public final class LockedRows {
    private final String lockAndRead;

    private LockedRows(String table, String idColumn) {
        this.lockAndRead = "SELECT * FROM " + Identifiers.table("table", table) + " WHERE "
                + Identifiers.column("idColumn", idColumn) + " = :id FOR UPDATE SKIP LOCKED";
    }

    /** Rows of {@code table} identified by {@code idColumn}. */
    public static LockedRows of(String table, String idColumn) {
        return new LockedRows(table, idColumn);
    }

    /**
     * Locks the row with id {@code id} until the end of the caller's transaction, and runs {@code
     * work} with the freshly read row (column name → value). Empty when the row is locked by
     * another transaction or does not exist.
     *
     * @throws IllegalStateException when {@code handle} is not in a transaction (the lock would end at once)
     */
    public <T> Optional<T> inLockedRow(Handle handle, Object id, BiFunction<Handle, Map<String, Object>, T> work) {
        if (!handle.isInTransaction()) {
            throw new IllegalStateException("inLockedRow needs the caller's transaction: the row lock ends with it");
        }
        Optional<Map<String, Object>> row =
                handle.createQuery(lockAndRead).bind("id", id).mapToMap().findOne();
        return row.map(r -> work.apply(handle, r));
    }
}
