package io.lockkit.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * One of lockkit's statements (each database's {@code Sql}), ready to run as a plain JDBC {@link PreparedStatement}
 * on a session's connection: its named parameters ({@code :key}) become JDBC's {@code ?} once, here.
 * The lock, lease and compare-and-set paths run their statements this way rather than through
 * Jdbi's fluent API, which copies its configuration and resolves argument binders and row mappers
 * anew for every statement it creates (jdbi/jdbi#1749, #2617): 10–20 µs a statement measured here,
 * a third of a round trip to a local server, and most of lockkit's cost over ShedLock's raw JDBC.
 * Jdbi still opens, configures and closes the connections. pgjdbc prepares each statement on the
 * server once per connection (its statement cache), as it would under Jdbi; MariaDB Connector/J
 * sends it as text unless told otherwise ({@code useServerPrepStmts}). Immutable, thread-safe.
 */
public final class Prepared {
    /** Reads one row. */
    @FunctionalInterface
    public interface Row<T> {
        @Nullable
        T read(ResultSet rs) throws SQLException;
    }

    /** A statement failed; the {@link SQLException} is the cause ({@link SqlErrors} reads its state). */
    public static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(String sql, SQLException cause) {
            super(
                    cause.getMessage() + " [in: "
                            + sql.strip().lines().findFirst().orElse("") + " …]",
                    cause);
        }
    }

    private final String sql;
    private final List<String> names;

    private Prepared(String sql, List<String> names) {
        this.sql = sql;
        this.names = names;
    }

    /**
     * Turns {@code :name} parameters into {@code ?}, leaving {@code ::} casts and quoted literals
     * alone.
     */
    public static Prepared of(String namedSql) {
        StringBuilder out = new StringBuilder(namedSql.length());
        List<String> names = new ArrayList<>();
        int i = 0;
        while (i < namedSql.length()) {
            char c = namedSql.charAt(i);
            if (c == '\'') { // a literal: copy up to its closing quote ('' is a quote inside)
                int end = namedSql.indexOf('\'', i + 1);
                while (end >= 0 && end + 1 < namedSql.length() && namedSql.charAt(end + 1) == '\'') {
                    end = namedSql.indexOf('\'', end + 2);
                }
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated literal in " + namedSql);
                }
                out.append(namedSql, i, end + 1);
                i = end + 1;
            } else if (c == ':' && i + 1 < namedSql.length() && namedSql.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (c == ':' && i + 1 < namedSql.length() && isNameStart(namedSql.charAt(i + 1))) {
                int end = i + 1;
                while (end < namedSql.length() && Character.isLetterOrDigit(namedSql.charAt(end))
                        || end < namedSql.length() && namedSql.charAt(end) == '_') {
                    end++;
                }
                names.add(namedSql.substring(i + 1, end));
                out.append('?');
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return new Prepared(out.toString(), List.copyOf(names));
    }

    /** The statement as sent, with {@code ?} for the parameters. */
    public String sql() {
        return sql;
    }

    /** The parameters' names, in the order of the {@code ?}s. */
    public List<String> names() {
        return names;
    }

    private static boolean isNameStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    /** A run of this statement on {@code handle}'s connection. */
    public Call on(Handle handle) {
        return new Call(handle.getConnection());
    }

    /** The statement with its parameter values; not thread-safe, use once. */
    public final class Call {
        private final Connection connection;
        private final Object[] values = new Object[names.size()];

        private Call(Connection connection) {
            this.connection = connection;
        }

        /** Sets every occurrence of {@code :name}: a {@code byte[]}, {@code Long}, {@code Integer}, {@code String} or {@code Boolean}. */
        public Call set(String name, Object value) {
            boolean found = false;
            for (int i = 0; i < values.length; i++) {
                if (names.get(i).equals(name)) {
                    values[i] = value;
                    found = true;
                }
            }
            if (!found) {
                throw new IllegalArgumentException("no parameter :" + name + " in " + sql);
            }
            return this;
        }

        /** Exactly one row, read by {@code row} (which may read it as null). */
        public <T> @Nullable T one(Row<T> row) {
            return query(row, true);
        }

        /** At most one row; empty when there is none (or {@code row} reads it as null). */
        public <T> Optional<T> optional(Row<T> row) {
            return Optional.ofNullable(query(row, false));
        }

        /**
         * Sent with {@code execute()}, not {@code executeQuery()}: MySQL Connector/J refuses the
         * latter for a statement that does not start with {@code SELECT} (its client-side check), and
         * MariaDB's {@code INSERT … RETURNING} is one that returns a row.
         */
        private <T> @Nullable T query(Row<T> row, boolean required) {
            try (PreparedStatement ps = prepare();
                    ResultSet rs = resultOf(ps)) {
                if (!rs.next()) {
                    if (required) {
                        throw new IllegalStateException("no row from " + sql);
                    }
                    return null;
                }
                T value = row.read(rs);
                if (rs.next()) {
                    throw new IllegalStateException("more than one row from " + sql);
                }
                return value;
            } catch (SQLException e) {
                throw new Failed(sql, e);
            }
        }

        private ResultSet resultOf(PreparedStatement ps) throws SQLException {
            if (!ps.execute()) {
                throw new IllegalStateException("no result set from " + sql);
            }
            return ps.getResultSet();
        }

        /** The update count. */
        public int update() {
            try (PreparedStatement ps = prepare()) {
                return ps.executeUpdate();
            } catch (SQLException e) {
                throw new Failed(sql, e);
            }
        }

        private PreparedStatement prepare() throws SQLException {
            PreparedStatement ps = connection.prepareStatement(sql);
            try {
                for (int i = 0; i < values.length; i++) {
                    Object v = values[i];
                    int at = i + 1;
                    if (v instanceof byte[] bytes) {
                        ps.setBytes(at, bytes);
                    } else if (v instanceof Long l) {
                        ps.setLong(at, l);
                    } else if (v instanceof Integer n) {
                        ps.setInt(at, n);
                    } else if (v instanceof String s) {
                        ps.setString(at, s);
                    } else if (v instanceof Boolean b) {
                        ps.setBoolean(at, b);
                    } else {
                        throw new IllegalArgumentException(
                                "parameter :" + names.get(i) + " of " + sql + " is " + (v == null ? "not set" : v));
                    }
                }
                return ps;
            } catch (SQLException | RuntimeException e) {
                ps.close();
                throw e;
            }
        }
    }
}
