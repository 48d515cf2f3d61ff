package io.lockkit.postgresql;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The names of lockkit's tables and of its token sequence, each optionally schema-qualified
 * ({@code jobs.lockkit_lock}). Names MUST be lowercase SQL identifiers ({@code [a-z_][a-z0-9_]*}, at
 * most 63 characters per part); anything else is rejected when the record is built, so a name can
 * never inject SQL (E1). Immutable.
 *
 * @param lockTable the lock table of the {@code table} variant
 * @param rowLockTable the rows the {@code rowlock} variant locks
 * @param versionedTable the values of {@link io.lockkit.VersionedUpdate}
 * @param tokenSequence the one sequence every fencing token comes from (L2), {@code CACHE 1}
 */
public record TableNames(String lockTable, String rowLockTable, String versionedTable, String tokenSequence) {
    private static final Pattern NAME = Pattern.compile("([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}");

    /** {@code lockkit_lock}, {@code lockkit_row_lock}, {@code lockkit_versioned}, {@code lockkit_token}. */
    public static final TableNames DEFAULT =
            new TableNames("lockkit_lock", "lockkit_row_lock", "lockkit_versioned", "lockkit_token");

    /** Rejects every bad name at once, naming each. */
    public TableNames {
        List<String> bad = new ArrayList<>();
        check(bad, "lockTable", lockTable);
        check(bad, "rowLockTable", rowLockTable);
        check(bad, "versionedTable", versionedTable);
        check(bad, "tokenSequence", tokenSequence);
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("bad table names: " + String.join("; ", bad));
        }
    }

    /** {@code this} with another lock table. */
    public TableNames withLockTable(String name) {
        return new TableNames(name, rowLockTable, versionedTable, tokenSequence);
    }

    /** {@code this} with another row-lock table. */
    public TableNames withRowLockTable(String name) {
        return new TableNames(lockTable, name, versionedTable, tokenSequence);
    }

    /** {@code this} with another versioned table. */
    public TableNames withVersionedTable(String name) {
        return new TableNames(lockTable, rowLockTable, name, tokenSequence);
    }

    /** {@code this} with another token sequence. */
    public TableNames withTokenSequence(String name) {
        return new TableNames(lockTable, rowLockTable, versionedTable, name);
    }

    /** Whether {@code name} is an acceptable (optionally schema-qualified) lowercase identifier. */
    static boolean isValid(String name) {
        return NAME.matcher(name).matches();
    }

    /** {@code name} double-quoted part by part, so reserved words work too. */
    static String quote(String name) {
        return '"' + name.replace(".", "\".\"") + '"';
    }

    private static void check(List<String> bad, String what, String name) {
        if (name == null) {
            bad.add(what + " must not be null");
        } else if (!isValid(name)) {
            bad.add(what + "='" + name + "' (expected a lowercase identifier [a-z_][a-z0-9_]*, optionally"
                    + " schema-qualified, at most 63 characters per part)");
        }
    }
}
