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
 * <p>So far the lock table and versioned values. A waiting acquire polls (at most every {@link
 * Builder#pollInterval}, and no later than the holder's expiry).
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

    /** A table or sequence name, optionally qualified by its database: plain identifiers only. */
    private static final Pattern NAME =
            Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,63}(\\.[A-Za-z_][A-Za-z0-9_$]{0,63})?");

    private final String lockTable;
    private final String tokenSequence;
    private final String versionedTable;
    private final Ticker ticker;
    private final Duration driftMargin;
    private final Duration pollInterval;
    private final SessionPool pool;
    private final TableJobLock jobLock;
    private final MariaDbVersionedUpdate versionedUpdate;

    private MariaDbBackend(Builder b) {
        this.lockTable = quoted(b.lockTable);
        this.tokenSequence = quoted(b.tokenSequence);
        this.versionedTable = quoted(b.versionedTable);
        this.ticker = b.ticker;
        this.driftMargin = b.driftMargin;
        this.pollInterval = b.pollInterval;
        this.pool = new SessionPool(
                "MariaDB",
                b.jdbi,
                MariaDbBackend::setUp,
                MariaDbFailures.KINDS,
                b.maxConnections,
                b.connectionWait,
                b.networkTimeout);
        this.jobLock = new TableJobLock(this);
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
                for (String ddl : schemaSql()) {
                    h.execute(ddl);
                }
                return null;
            });
        } catch (RuntimeException e) {
            throw MariaDbFailures.translate("create the schema", e);
        }
    }

    @Override
    public String name() {
        return "mariadb/table";
    }

    /**
     * Timed leases; tokens and leases are InnoDB rows and a {@code NOCACHE} sequence, written to the
     * redo log at commit, so they survive a restart and a kill. No release notification yet.
     */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                Capability.TIMED_LEASE,
                Capability.FENCING_SURVIVES_STORE_RESTART,
                Capability.DATA_SURVIVES_STORE_RESTART);
    }

    @Override
    public JobLock jobLock() {
        return jobLock;
    }

    @Override
    public VersionedUpdate versionedUpdate() {
        return versionedUpdate;
    }

    /** Frees the client's connections; leases are left to expire (L4). */
    @Override
    public void close() {
        pool.close();
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
     * judged on (L1, L4).
     */
    private static Session setUp(Handle handle) throws java.sql.SQLException {
        Connection connection = handle.getConnection();
        long id;
        try (var s = connection.createStatement()) {
            try (var rs =
                    s.executeQuery("SELECT CONNECTION_ID(), VERSION(), @@global.innodb_flush_log_at_trx_commit")) {
                rs.next();
                id = rs.getLong(1);
                checkServer(rs.getString(2), rs.getString(3));
            }
            s.execute("SET SESSION timestamp = DEFAULT");
        }
        return new Session(handle, (int) id, Session.UNKNOWN, false, false, Session.AS_IT_WAS);
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

        /** The longest a waiting acquire sleeps before trying again. */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
            return this;
        }

        public Builder driftMargin(Duration driftMargin) {
            this.driftMargin = Objects.requireNonNull(driftMargin, "driftMargin");
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
                bad.add("maxConnections=" + maxConnections + " (expected at least 2)");
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
