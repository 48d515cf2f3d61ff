package io.lockkit.postgresql;

import java.util.regex.Pattern;

/** SQL identifiers the user names (their tables and columns): validated, then quoted. Stateless. */
final class Identifiers {
    private static final Pattern COLUMN = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private Identifiers() {}

    /** {@code table}, quoted, if it is a lowercase identifier, optionally schema-qualified (E1). */
    static String table(String what, String table) {
        if (table == null || !TableNames.isValid(table)) {
            throw new IllegalArgumentException(what + " must be a lowercase identifier [a-z_][a-z0-9_]*, optionally"
                    + " schema-qualified, was '" + table + "'");
        }
        return TableNames.quote(table);
    }

    /** {@code column}, quoted, if it is a lowercase identifier (E1). */
    static String column(String what, String column) {
        if (column == null || !COLUMN.matcher(column).matches()) {
            throw new IllegalArgumentException(
                    what + " must be a lowercase identifier [a-z_][a-z0-9_]*, was '" + column + "'");
        }
        return '"' + column + '"';
    }
}
