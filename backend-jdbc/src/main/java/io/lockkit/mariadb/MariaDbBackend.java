package io.lockkit.mariadb;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.LockKitException;
import io.lockkit.Ticker;
import io.lockkit.VersionedUpdate;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import io.lockkit.jdbc.internal.SessionPool;
import io.lockkit.spi.Checks;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A client of one MariaDB database (10.6 or later, InnoDB): a lock-table {@link JobLock} with timed
 * leases on the database clock and a {@link VersionedUpdate}, every fencing token from one {@code NOCACHE} sequence (L2), on a
 * bounded pool of the client's own autocommit connections (never the caller's transaction).
 * Thread-safe.
 *
 * <p>Built over a DataSource or Jdbi of the application, or opened by {@code
 * LockKit.open("mariadb://user@host/db")} / {@code jdbc:mariadb://…} (lockkit's own connections).
 *
 * <p>Three variants ({@link Builder#variant}): the lock table (the default), whose waiting acquire
 * polls (at most every {@link Builder#pollInterval}, and no later than the holder's expiry), the
 * advisory variant ({@code GET_LOCK} on a session pinned to the lease, ended by the server after its
 * {@code wait_timeout}) and the rowlock variant (the key's row locked by a transaction pinned to the
 * lease, ended by the server after its {@code idle_transaction_timeout}), whose waiting acquires
 * block in the server and are woken by the release.
 *
 * <pre>{@code
 * try (MariaDbBackend db = MariaDbBackend.builder(dataSource).build()) {
 *     db.createSchema(); // or run schemaSql() with your migrations
 *     db.jobLock().tryAcquire("job-42", Duration.ofSeconds(30)).ifPresent(lease -> { ... });
 * }
 * }</pre>
 */
public final class MariaDbBackend implements Backend {
    /** The most connections of the given DataSource a client holds at once. */
    public static final int DEFAULT_MAX_CONNECTIONS = 4;
    /** How long a call waits for a free connection of the pool before failing (E2). */
    public static final Duration DEFAULT_CONNECTION_WAIT = Duration.ofSeconds(5);
    /** The network timeout set on every connection: no call waits longer for the server (E2). */
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(10);
    /** The longest a waiting acquire sleeps before trying again (L7: for now by polling). */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(100);
    /** Subtracted from every deadline (at most a tenth of the lease) for drift between the clocks. */
    public static final Duration DEFAULT_DRIFT_MARGIN = Duration.ofMillis(20);

    public static final String DEFAULT_LOCK_TABLE = "lockkit_lock";
    public static final String DEFAULT_TOKEN_SEQUENCE = "lockkit_token";
    public static final String DEFAULT_VERSIONED_TABLE = "lockkit_versioned";

    /** How leases are held. */
    public enum Variant {
        /** A row per key with a timed lease on the database clock (the default). */
        TABLE,
        /**
         * {@code GET_LOCK} on a session pinned to the lease, which the server ends after {@code
         * wait_timeout} (the lease rounded up to whole seconds); waiters are woken by the release.
         */
        ADVISORY,
        /**
         * The key's row of the lock table locked ({@code SELECT … FOR UPDATE}) by a transaction held
         * open on a session pinned to the lease, which the server ends after {@code
         * idle_transaction_timeout} (the lease rounded up to whole seconds); waiters wait on the row
         * and are granted it when the holder's transaction ends.
         */
        ROWLOCK
    }

    /** A table or sequence name, optionally qualified by its database: plain identifiers only. */
    private static final Pattern NAME =
            Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,63}(\\.[A-Za-z_][A-Za-z0-9_$]{0,63})?");

    private final String lockTable;
    private final String tokenSequence;
    private final String versionedTable;
    /** The names as given (unquoted), for the schema check. */
    private final List<String> names;

    private final Ticker ticker;
    private final Duration driftMargin;
    private final Duration pollInterval;
    private final Variant variant;
    private final String tokenSequenceName;
    private final SessionPool pool;
    private final JobLock jobLock;
    private final MariaDbVersionedUpdate versionedUpdate;

    private MariaDbBackend(Builder b) {
        this.lockTable = quoted(b.lockTable);
        this.tokenSequence = quoted(b.tokenSequence);
        this.versionedTable = quoted(b.versionedTable);
        this.names = List.of(b.tokenSequence, b.lockTable, b.versionedTable);
        this.variant = b.variant;
        this.tokenSequenceName = b.tokenSequence;
        this.ticker = b.ticker;
        this.driftMargin = b.driftMargin;
        this.pollInterval = b.pollInterval;
        this.pool = new SessionPool(
                "MariaDB",
                b.jdbi,
                MariaDbBackend::setUp,
                MariaDbFailures.KINDS,
                b.maxConnections,
                false, // no release listener on MariaDB: every connection is the pool's
                b.connectionWait,
                b.networkTimeout);
        this.jobLock = switch (variant) {
            case TABLE -> new TableJobLock(this);
            case ADVISORY -> new AdvisoryJobLock(this);
            case ROWLOCK -> new RowLockJobLock(this);
        };
        this.versionedUpdate = new MariaDbVersionedUpdate(this);
    }

    /** A client over {@code dataSource} (MariaDB Connector/J's, or a pool of it). */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Jdbi.create(Objects.requireNonNull(dataSource, "dataSource")));
    }

    /** A client over {@code jdbi}; lockkit opens its own handles from it, never joining the caller's. */
    public static Builder builder(Jdbi jdbi) {
        return new Builder(Objects.requireNonNull(jdbi, "jdbi"));
    }

    /** The DDL for this client's names: the token sequence, the lock table and the versioned table, each idempotent. */
    public List<String> schemaSql() {
        return List.of(
                render(MariaDbSql.CREATE_TOKEN), render(MariaDbSql.CREATE_LOCK), render(MariaDbSql.CREATE_VERSIONED));
    }

    /** Creates the token sequence and the tables where they are missing. */
    public void createSchema() {
        try {
            pool.call("create the schema", h -> {
                List<String> ddls = schemaSql();
                for (int i = 0; i < ddls.size(); i++) {
                    // No DDL for what exists: even an IF NOT EXISTS waits for the metadata lock that a
                    // held rowlock lease keeps on the sequence, and every later NEXTVAL of the store
                    // would queue behind that wait.
                    if (!exists(h, names.get(i))) {
                        h.execute(ddls.get(i));
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            throw MariaDbFailures.translate("create the schema", e);
        }
    }

    /** Whether a table or sequence {@code name} ({@code name} or {@code database.name}) exists; reads no metadata lock. */
    private static boolean exists(Handle h, String name) {
        int dot = name.indexOf('.');
        return h.createQuery("SELECT COUNT(*) FROM information_schema.TABLES"
                                + " WHERE TABLE_SCHEMA = COALESCE(:schema, DATABASE()) AND TABLE_NAME = :name")
                        .bind("schema", dot < 0 ? null : name.substring(0, dot))
                        .bind("name", name.substring(dot + 1))
                        .mapTo(Long.class)
                        .one()
                > 0;
    }

    /** How a problem of {@link #checkSchema} that {@link #createSchema} would fix ends. */
    private static final String MISSING = " is missing";

    /** How to create what is missing: the option, the call, and the DDL for teams that run migrations. */
    static final String HOW_TO_CREATE = "To create what is missing: open with the option createSchema=true (in the"
            + " URI's query, mariadb://host/db?createSchema=true, or in the options map), or call"
            + " MariaDbBackend.createSchema(); the user needs the CREATE privilege on the database. For migrations"
            + " instead: MariaDbBackend.schemaSql() gives the statements with the names in use";

    /**
     * Checks that the token sequence and the tables exist and are what this client needs: the
     * sequence {@code NOCACHE}, with a positive increment, {@code NOCYCLE} and {@code MINVALUE} at least 1 (a
     * cache hands out values reserved earlier, so a later lease could get a smaller token; a cycle
     * repeats them, L2; a token below 1 fences nothing), the
     * tables InnoDB tables (durable and transactional). A few queries on one connection.
     *
     * @throws LockKitException naming each missing or wrong object, and how to create what is missing
     * @throws io.lockkit.BackendUnavailableException when the server cannot be asked (E2)
     */
    public void checkSchema() {
        List<String> problems;
        try {
            problems = pool.call("check the schema", h -> {
                List<String> found = new ArrayList<>();
                boolean noDatabase = h.createQuery("SELECT DATABASE() IS NULL")
                        .mapTo(Boolean.class)
                        .one();
                String[] what = {"token sequence", "lock table", "versioned table"};
                for (int i = 0; i < names.size(); i++) {
                    String problem = schemaProblem(h, what[i], names.get(i), i == 0, noDatabase);
                    if (problem != null) {
                        found.add(problem);
                    }
                }
                return found;
            });
        } catch (RuntimeException e) {
            throw MariaDbFailures.translate("check the schema", e);
        }
        if (!problems.isEmpty()) {
            boolean missing = problems.stream().anyMatch(p -> p.endsWith(MISSING));
            throw new LockKitException("mariadb: the database is not set up for this client: "
                    + String.join("; ", problems) + (missing ? ". " + HOW_TO_CREATE : ""));
        }
    }

    /** What is wrong with one object, or null. */
    private static @org.jspecify.annotations.Nullable String schemaProblem(
            Handle h, String what, String name, boolean sequence, boolean noDatabase) {
        int dot = name.indexOf('.');
        String schema = dot < 0 ? null : name.substring(0, dot);
        String table = name.substring(dot + 1);
        String shown = quoted(name);
        if (schema == null && noDatabase) {
            return "the " + what + " " + shown + " names no database, and the connection has none selected (name"
                    + " one in the URL, jdbc:mariadb://host/app, or qualify the name, app." + name + ")";
        }
        var row = h.createQuery("SELECT TABLE_TYPE, COALESCE(ENGINE, '') FROM information_schema.TABLES"
                        + " WHERE TABLE_SCHEMA = COALESCE(:schema, DATABASE()) AND TABLE_NAME = :name")
                .bind("schema", schema)
                .bind("name", table)
                .map((rs, ctx) -> List.of(rs.getString(1), rs.getString(2)))
                .findOne();
        if (row.isEmpty()) {
            return "the " + what + " " + shown + MISSING;
        }
        String type = row.get().get(0);
        if (sequence) {
            if (!"SEQUENCE".equals(type)) {
                return "the " + what + " " + shown + " is a " + type + ", not a sequence (drop it, or name another)";
            }
            List<Long> settings = h.createQuery(
                            "SELECT cache_size, increment, cycle_option, minimum_value FROM " + shown)
                    .map((rs, ctx) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                    .one();
            List<String> wrong = new ArrayList<>();
            if (settings.get(0) != 0) {
                wrong.add("CACHE " + settings.get(0) + " (a later lease could get a smaller token; fix: ALTER SEQUENCE "
                        + shown + " NOCACHE, then restart the clients that used it)");
            }
            if (settings.get(1) <= 0) {
                wrong.add("INCREMENT BY " + settings.get(1) + " (tokens must go up; fix: ALTER SEQUENCE " + shown
                        + " INCREMENT BY 1)");
            }
            if (settings.get(2) != 0) {
                wrong.add("CYCLE (tokens would repeat; fix: ALTER SEQUENCE " + shown + " NOCYCLE)");
            }
            if (settings.get(3) < 1) {
                wrong.add("MINVALUE " + settings.get(3) + " (it can hand out tokens below 1, which no fenced write"
                        + " accepts; fix: ALTER SEQUENCE " + shown
                        + " MINVALUE 1 START WITH 1 RESTART WITH n, n at least 1"
                        + " and larger than every value it has handed out)");
            }
            return wrong.isEmpty() ? null : "the " + what + " " + shown + " has " + String.join(", ", wrong);
        }
        if (!"BASE TABLE".equals(type)) {
            return "the " + what + " " + shown + " is a " + type + ", not a table (drop it, or name another)";
        }
        String engine = row.get().get(1);
        if (!"InnoDB".equalsIgnoreCase(engine)) {
            return "the " + what + " " + shown + " uses the engine " + engine + ", not InnoDB (fix: ALTER TABLE "
                    + shown + " ENGINE=InnoDB)";
        }
        return null;
    }

    @Override
    public String name() {
        return "mariadb/" + variant.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The lock table: timed leases, no release notification (a waiter polls). The advisory and
     * rowlock variants: session leases ({@code GET_LOCK}, or a row lock in an open transaction, on a
     * session the server ends after {@code wait_timeout}, or {@code idle_transaction_timeout}), and a
     * waiter blocks in the server's {@code GET_LOCK}, or InnoDB's lock wait, which returns when the
     * holder releases.
     * Tokens and values are InnoDB rows and a {@code NOCACHE} sequence, flushed to the redo log
     * before the reply, so they survive a restart and a kill.
     */
    @Override
    public Set<Capability> capabilities() {
        Set<Capability> capabilities =
                EnumSet.of(Capability.FENCING_SURVIVES_STORE_RESTART, Capability.DATA_SURVIVES_STORE_RESTART);
        if (variant != Variant.TABLE) {
            capabilities.add(Capability.SESSION_LEASE);
            capabilities.add(Capability.RELEASE_NOTIFICATION);
        } else {
            capabilities.add(Capability.TIMED_LEASE);
        }
        return capabilities;
    }

    @Override
    public JobLock jobLock() {
        return jobLock;
    }

    @Override
    public VersionedUpdate versionedUpdate() {
        return versionedUpdate;
    }

    /**
     * Frees the client's connections; timed leases are left to expire (L4), session leases end with
     * their sessions (which this closes). A connection a lease used gets its settings back first
     * (its idle timeout, autocommit), in case the DataSource is a pool that hands it out again.
     */
    @Override
    public void close() {
        PinnedSessions pinned = jobLock instanceof AdvisoryJobLock advisory
                ? advisory.sessions()
                : jobLock instanceof RowLockJobLock rowLock ? rowLock.sessions() : null;
        if (pinned == null) {
            pool.close();
            return;
        }
        pinned.close(); // the leases are lost, their sessions closed
        pool.close(pinned::reset);
    }

    // ---- shared with the package ----

    SessionPool pool() {
        return pool;
    }

    Ticker ticker() {
        return ticker;
    }

    Duration driftMargin() {
        return driftMargin;
    }

    Duration pollInterval() {
        return pollInterval;
    }

    /** The token sequence's name as configured (the scope of the advisory variant's lock names). */
    String tokenSequenceName() {
        return tokenSequenceName;
    }

    Prepared statement(String sql) {
        return Prepared.of(render(sql));
    }

    private String render(String sql) {
        return MariaDbSql.render(sql, lockTable, tokenSequence, versionedTable);
    }

    private static String quoted(String name) {
        StringBuilder out = new StringBuilder();
        for (String part : name.split("\\.")) {
            out.append(out.length() == 0 ? "" : ".").append('`').append(part).append('`');
        }
        return out.toString();
    }

    /**
     * A new connection: its server id ({@code CONNECTION_ID()}), after checking the server. It must be
     * MariaDB 10.6 or later (the statements use {@code INSERT … RETURNING} and sequences, which MySQL
     * has not), and commit durably ({@code innodb_flush_log_at_trx_commit = 1}: with 0 or 2 a crash
     * loses acknowledged commits, and with them tokens already handed out, which would be handed out
     * again, L2). The session's {@code timestamp} is reset to the server's clock: a pooled connection
     * that arrives with {@code SET timestamp = …} would freeze the database clock every lease is
     * judged on (L1, L4). The session's start is the server's (within a second, {@link
     * MariaDbSql#SERVER_START}): a restarted server hands out connection ids again, so (id, server
     * start) names a session for the advisory variant's session check (L5).
     */
    private static Session setUp(Handle handle) throws java.sql.SQLException {
        Connection connection = handle.getConnection();
        long id;
        long started;
        try (var s = connection.createStatement()) {
            try (var rs = s.executeQuery("SELECT CONNECTION_ID(), VERSION(), @@global.innodb_flush_log_at_trx_commit, "
                    + MariaDbSql.SERVER_START)) {
                rs.next();
                id = rs.getLong(1);
                checkServer(rs.getString(2), rs.getString(3));
                started = rs.getLong(4);
            }
            s.execute("SET SESSION timestamp = DEFAULT");
        }
        return new Session(handle, (int) id, started, false, false, Session.AS_IT_WAS);
    }

    /** Refuses a server this backend cannot keep the contract on, naming what it found. */
    static void checkServer(String version, String flushAtCommit) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(version);
        boolean mariaDb = version.contains("MariaDB");
        int major = m.find() ? Integer.parseInt(m.group(1)) : 0;
        int minor = major > 0 ? Integer.parseInt(m.group(2)) : 0;
        if (!mariaDb || major < 10 || (major == 10 && minor < 6)) {
            throw new LockKitException("lockkit's MariaDB backend needs MariaDB 10.6 or later, but the server reports"
                    + " VERSION() = '" + version + "'" + (mariaDb ? "" : " (MySQL is not supported by this backend)"));
        }
        if (!"1".equals(flushAtCommit)) {
            throw new LockKitException("lockkit's MariaDB backend needs innodb_flush_log_at_trx_commit = 1, but the"
                    + " server has " + flushAtCommit + ": a crash would lose acknowledged commits, and fencing tokens"
                    + " already handed out would be handed out again (L2); set it to 1");
        }
    }

    /** Builds a {@link MariaDbBackend}; {@link #build()} validates every option and reports all bad ones at once. */
    public static final class Builder {
        private final Jdbi jdbi;
        private String lockTable = DEFAULT_LOCK_TABLE;
        private String tokenSequence = DEFAULT_TOKEN_SEQUENCE;
        private String versionedTable = DEFAULT_VERSIONED_TABLE;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration connectionWait = DEFAULT_CONNECTION_WAIT;
        private Duration networkTimeout = DEFAULT_NETWORK_TIMEOUT;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private Duration driftMargin = DEFAULT_DRIFT_MARGIN;
        private Ticker ticker = Ticker.system();
        private Variant variant = Variant.TABLE;

        private Builder(Jdbi jdbi) {
            this.jdbi = jdbi;
        }

        /** The lock table, {@code name} or {@code database.name} (plain identifiers). */
        public Builder lockTable(String lockTable) {
            this.lockTable = Objects.requireNonNull(lockTable, "lockTable");
            return this;
        }

        /** The token sequence, {@code name} or {@code database.name} (plain identifiers). */
        public Builder tokenSequence(String tokenSequence) {
            this.tokenSequence = Objects.requireNonNull(tokenSequence, "tokenSequence");
            return this;
        }

        /** The versioned values' table, {@code name} or {@code database.name} (plain identifiers). */
        public Builder versionedTable(String versionedTable) {
            this.versionedTable = Objects.requireNonNull(versionedTable, "versionedTable");
            return this;
        }

        /** The most connections of the DataSource this client holds at once (at least 2). */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder connectionWait(Duration connectionWait) {
            this.connectionWait = Objects.requireNonNull(connectionWait, "connectionWait");
            return this;
        }

        public Builder networkTimeout(Duration networkTimeout) {
            this.networkTimeout = Objects.requireNonNull(networkTimeout, "networkTimeout");
            return this;
        }

        /**
         * The longest a waiting acquire sleeps before trying again (lock table), or blocks in one
         * {@code GET_LOCK} or row lock wait before it looks at its interrupt flag and calls again
         * (advisory, rowlock; at most half the network timeout, and the release wakes it at once
         * whatever this is).
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
            return this;
        }

        public Builder driftMargin(Duration driftMargin) {
            this.driftMargin = Objects.requireNonNull(driftMargin, "driftMargin");
            return this;
        }

        /** How leases are held: {@link Variant#TABLE} (the default), {@link Variant#ADVISORY} or {@link Variant#ROWLOCK}. */
        public Builder variant(Variant variant) {
            this.variant = Objects.requireNonNull(variant, "variant");
            return this;
        }

        /** The monotonic clock deadlines are measured on (tests inject their own). */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * The client; nothing is sent until the first call.
         *
         * @throws IllegalArgumentException listing every bad option (E1)
         */
        public MariaDbBackend build() {
            List<String> bad = new ArrayList<>();
            if (maxConnections < 2) {
                bad.add("maxConnections=" + maxConnections + " (expected at least 2: one for statements, one for"
                        + " an acquire or a lease session)");
            }
            positive(bad, "connectionWait", connectionWait);
            positive(bad, "networkTimeout", networkTimeout);
            positive(bad, "pollInterval", pollInterval);
            if (driftMargin.isNegative() || driftMargin.compareTo(Checks.MAX_DRIFT_MARGIN) > 0) {
                bad.add("driftMargin=" + driftMargin + " (expected from 0 to " + Checks.MAX_DRIFT_MARGIN + ")");
            }
            name(bad, "lockTable", lockTable);
            name(bad, "tokenSequence", tokenSequence);
            name(bad, "versionedTable", versionedTable);
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("bad options for mariadb: " + String.join("; ", bad));
            }
            return new MariaDbBackend(this);
        }

        private static void positive(List<String> bad, String name, Duration value) {
            if (value.isNegative() || value.isZero()) {
                bad.add(name + "=" + value + " (expected a positive duration)");
            }
        }

        private static void name(List<String> bad, String option, String value) {
            if (!NAME.matcher(value).matches()) {
                bad.add(option + "='" + value + "' (expected name or database.name, letters, digits, _ and $)");
            }
        }
    }
}
