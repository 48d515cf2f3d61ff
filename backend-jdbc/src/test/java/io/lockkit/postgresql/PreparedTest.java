package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.jdbc.internal.Prepared;
import org.junit.jupiter.api.Test;

/** Named parameters become JDBC's {@code ?}; casts, literals and every lockkit statement survive it. */
class PreparedTest {
    @Test
    void namedParametersBecomePositionalAndCastsAndLiteralsStay() {
        Prepared p =
                Prepared.of("SELECT (x * 1000)::bigint, ':not_a_param', 'it''s :no', :a_1 + :b FROM t WHERE k = :a_1");
        assertThat(p.sql())
                .isEqualTo("SELECT (x * 1000)::bigint, ':not_a_param', 'it''s :no', ? + ? FROM t WHERE k = ?");
        assertThat(p.names()).containsExactly("a_1", "b", "a_1");
    }

    @Test
    void everyStatementOfTheBackendParses() {
        TableNames names = TableNames.DEFAULT;
        for (String statement : new String[] {
            Sql.TABLE_ACQUIRE,
            Sql.TABLE_EXTEND,
            Sql.TABLE_RELEASE,
            Sql.TABLE_ABANDON,
            Sql.ADVISORY_ACQUIRE,
            Sql.ADVISORY_EXTEND,
            Sql.ADVISORY_RELEASE,
            Sql.ADVISORY_RESET,
            Sql.ROWLOCK_ACQUIRE,
            Sql.ROWLOCK_CREATE,
            Sql.ROWLOCK_RELEASE,
            Sql.ROWLOCK_EXTEND,
            Sql.READ,
            Sql.CREATE,
            Sql.FENCED_CREATE,
            Sql.CAS,
            Sql.FENCED_CAS,
            Sql.DELETE,
            Sql.LAST_WRITE
        }) {
            Prepared p = Prepared.of(Sql.render(statement, names));
            String outsideLiterals = p.sql().replaceAll("'[^']*'", "''").replace("::", "");
            assertThat(outsideLiterals).as(statement).doesNotContain(":");
            assertThat(p.names()).as(statement).hasSize((int)
                    p.sql().chars().filter(c -> c == '?').count());
        }
    }
}
