package io.lockkit.postgresql;

import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import io.lockkit.postgresql.PostgresBackend.Variant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Whether the database is set up as this client needs it: the token sequence hands out increasing
 * values in the order they are drawn ({@code CACHE 1}, a positive increment, {@code NO CYCLE}: L2)
 * and never below 1 ({@code MINVALUE} at least 1: a fenced write refuses a token below 1, E1),
 * the tables of the variant and of versioned values exist, and for the advisory variant the server
 * is PostgreSQL 14 or later (L4). {@code CREATE … IF NOT EXISTS} keeps an object that exists with
 * other settings, so this reads what is there. One round trip; once it passed it is not repeated.
 * Thread-safe.
 */
final class SchemaCheck {
    /** What the database has of the objects this client uses. */
    private record Found(
            int serverVersion,
            @Nullable String sequenceKind,
            long increment,
            long minimum,
            long cache,
            boolean cycle,
            @Nullable String sequencePersistence,
            @Nullable String lockTableKind,
            @Nullable String lockTablePersistence,
            @Nullable String versionedKind,
            @Nullable String versionedPersistence) {}

    /** One thing wrong; {@code missing}: an object that {@code createSchema()} would create. */
    private record Problem(String text, boolean missing) {}

    /** Where the DDL resource lives in the lockkit repository. */
    static final String SCHEMA_SOURCE = "backend-jdbc/src/main/resources" + PostgresBackend.SCHEMA_RESOURCE;

    /** How to create what is missing: the option, the call, and the DDL for teams that run migrations. */
    static final String HOW_TO_CREATE = "To create what is missing: open with the option createSchema=true (in the"
            + " URI's query, postgresql://host/db?createSchema=true, or in the options map), or call"
            + " PostgresBackend.createSchema(); the user needs the CREATE privilege on the schema. For migrations"
            + " instead: the DDL is the resource " + PostgresBackend.SCHEMA_RESOURCE.substring(1)
            + " in lockkit-backend-jdbc's jar (" + SCHEMA_SOURCE + " in the lockkit repository), with {token},"
            + " {lock}, {rowlock} and {versioned} replaced by the names in use, or PostgresBackend.schemaSql(tables)"
            + " with them filled in";

    private final PostgresBackend backend;
    private final String sql;
    private volatile boolean passed;

    SchemaCheck(PostgresBackend backend) {
        this.backend = backend;
        this.sql = Sql.render(Sql.SCHEMA_CHECK, backend.tables());
    }

    /**
     * At build: refuses what exists but is wrong. Objects still missing (before {@code
     * createSchema()}) and an unreachable server (E2) are left for {@link #require()}.
     */
    void atBuild() {
        List<Problem> problems;
        try {
            problems = inspect();
        } catch (BackendUnavailableException e) {
            return;
        }
        if (problems.stream().anyMatch(p -> !p.missing())) {
            throw refusal(problems);
        }
        passed = problems.isEmpty();
    }

    /**
     * Whether everything this client needs is there and right, reading it unless the check passed
     * before; then {@code createSchema()} has nothing to create.
     */
    boolean isSetUp() {
        if (!passed && inspect().isEmpty()) {
            passed = true;
        }
        return passed;
    }

    /** Before an operation (and after {@code createSchema()}): refuses anything wrong or missing. */
    void require() {
        if (passed) {
            return;
        }
        List<Problem> problems = inspect();
        if (!problems.isEmpty()) {
            throw refusal(problems);
        }
        passed = true;
    }

    private List<Problem> inspect() {
        TableNames names = backend.tables();
        String lockTable =
                switch (backend.variant()) {
                    case TABLE -> names.lockTable();
                    case ROWLOCK -> names.rowLockTable();
                    case ADVISORY -> names.versionedTable(); // no table of its own
                };
        Found found;
        try {
            found = backend.pool().call("check the schema", h -> h.createQuery(sql)
                    .bind("sequence", TableNames.quote(names.tokenSequence()))
                    .bind("lock_table", TableNames.quote(lockTable))
                    .bind("versioned", TableNames.quote(names.versionedTable()))
                    .map((rs, ctx) -> new Found(
                            rs.getInt("server_version"),
                            rs.getString("sequence_kind"),
                            rs.getLong("increment"),
                            rs.getLong("minimum"),
                            rs.getLong("cache"),
                            rs.getBoolean("cycle"),
                            rs.getString("sequence_persistence"),
                            rs.getString("lock_table_kind"),
                            rs.getString("lock_table_persistence"),
                            rs.getString("versioned_kind"),
                            rs.getString("versioned_persistence")))
                    .one());
        } catch (RuntimeException e) {
            throw Failures.translate("check the schema", e);
        }
        List<Problem> problems = new ArrayList<>();
        if (backend.variant() == Variant.ADVISORY && found.serverVersion() < AdvisoryJobLock.MIN_SERVER_VERSION_NUM) {
            problems.add(new Problem(AdvisoryJobLock.unsupported(found.serverVersion()), false));
        }
        sequence(problems, TableNames.quote(names.tokenSequence()), found);
        if (backend.variant() != Variant.ADVISORY) {
            String what = backend.variant() == Variant.TABLE ? "lock table" : "row-lock table";
            table(problems, what, TableNames.quote(lockTable), found.lockTableKind(), found.lockTablePersistence());
        }
        table(
                problems,
                "versioned table",
                TableNames.quote(names.versionedTable()),
                found.versionedKind(),
                found.versionedPersistence());
        return problems;
    }

    private static void sequence(List<Problem> problems, String name, Found found) {
        if (found.sequenceKind() == null) {
            problems.add(new Problem("the token sequence " + name + " does not exist", true));
            return;
        }
        if (!"S".equals(found.sequenceKind())) {
            problems.add(new Problem(name + ", named as the token sequence, is not a sequence", false));
            return;
        }
        if (!"p".equals(found.sequencePersistence())) {
            problems.add(new Problem(
                    "the token sequence " + name + " is UNLOGGED: PostgreSQL resets it after a crash, so tokens"
                            + " repeat. Fix: ALTER SEQUENCE " + name + " SET LOGGED",
                    false));
        }
        if (found.cache() != 1) {
            problems.add(new Problem(
                    "the token sequence " + name + " has CACHE " + found.cache() + ": every session"
                            + " hands out the values it cached, so a later lease can get a smaller token than an earlier"
                            + " one. Fix: ALTER SEQUENCE " + name + " CACHE 1; then restart the clients that used it (a"
                            + " session keeps handing out the values it cached)",
                    false));
        }
        if (found.increment() < 1) {
            problems.add(new Problem(
                    "the token sequence " + name + " has INCREMENT BY " + found.increment()
                            + ": tokens must grow. Fix: ALTER SEQUENCE " + name
                            + " INCREMENT BY 1 MINVALUE 1 NO MAXVALUE"
                            + " RESTART WITH n, n larger than every value it has handed out",
                    false));
        }
        if (found.minimum() < 1) {
            problems.add(new Problem(
                    "the token sequence " + name + " has MINVALUE " + found.minimum()
                            + ": it can hand out tokens below 1, which no fenced write accepts. Fix: ALTER SEQUENCE "
                            + name + " MINVALUE 1 START WITH 1 RESTART WITH n, n at least 1 and larger than every value"
                            + " it has handed out",
                    false));
        }
        if (found.cycle()) {
            problems.add(new Problem(
                    "the token sequence " + name + " has CYCLE: after its MAXVALUE it starts again"
                            + " and tokens repeat. Fix: ALTER SEQUENCE " + name + " NO CYCLE",
                    false));
        }
    }

    private static void table(
            List<Problem> problems, String what, String name, @Nullable String kind, @Nullable String persistence) {
        if (kind == null) {
            problems.add(new Problem("the " + what + " " + name + " does not exist", true));
        } else if (!"r".equals(kind) && !"p".equals(kind)) {
            problems.add(new Problem(name + ", named as the " + what + ", is not a table", false));
        } else if (!"p".equals(persistence)) {
            problems.add(new Problem(
                    "the " + what + " " + name + " is UNLOGGED: PostgreSQL empties it after a crash, and its"
                            + " writes do not wait for the log to be flushed. Fix: ALTER TABLE " + name + " SET LOGGED",
                    false));
        }
    }

    private LockKitException refusal(List<Problem> problems) {
        StringBuilder text = new StringBuilder("postgresql: the database is not set up for this client: ");
        for (int i = 0; i < problems.size(); i++) {
            text.append(i == 0 ? "" : "; ").append(problems.get(i).text());
        }
        if (problems.stream().anyMatch(Problem::missing)) {
            text.append(". ").append(HOW_TO_CREATE);
        }
        return new LockKitException(text.toString());
    }
}
