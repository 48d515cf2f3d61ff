package io.lockkit.postgresql;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.LockKitException;
import io.lockkit.Ticker;
import io.lockkit.VersionedUpdate;
import io.lockkit.jdbc.internal.SessionPool;
import io.lockkit.jdbc.internal.Waiters;
import io.lockkit.spi.Checks;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * A client of one PostgreSQL database: a {@link JobLock} of the chosen {@link Variant} and a {@link
 * VersionedUpdate} on the {@code lockkit_versioned} table, sharing one bounded pool of the client's
 * own autocommit connections (never the caller's transaction). Every fencing token comes from one
 * {@code CACHE 1} sequence shared by all variants (L2); expiry is decided by the database, never by
 * this JVM's clock (L1). Thread-safe.
 *
 * <p>Connections: the client holds at most {@code maxConnections} of its DataSource's connections at
 * once ({@link #DEFAULT_MAX_CONNECTIONS} unless set), so a pool it shares with the application keeps
 * the rest: one for the release listener, at most {@code maxConnections - 2} pinned by session
 * leases, and always at least one for statements (acquire/extend/release of the table variant,
 * versioned values), so a holder can always write its result.
 *
 * <p>Setup: {@link Builder#build()} refuses a token sequence or table that exists but is wrong ({@code
 * CACHE} other than 1, a non-positive increment, {@code CYCLE}); objects still missing are refused by
 * the first call unless {@link #createSchema()} creates them first.
 *
 * <p>The session variants pin one connection per held lease and {@code LISTEN} on another, so they
 * MUST talk to PostgreSQL directly or through a session-pooling proxy: behind a transaction-pooling
 * proxy (PgBouncer {@code pool_mode=transaction}) advisory locks, idle timeouts, {@code LISTEN} and
 * server-side prepared statements all break.
 *
 * <pre>{@code
 * try (PostgresBackend db = PostgresBackend.builder(dataSource).variant(Variant.TABLE).build()) {
 *     db.createSchema(); // or run schemaSql(TableNames.DEFAULT) with your migrations
 *     db.jobLock().tryAcquire("job-42", Duration.ofSeconds(30)).ifPresent(lease -> { ... });
 * }
 * }</pre>
 */
public final class PostgresBackend implements Backend {
    /** Which kind of lock the {@link JobLock} takes. */
    public enum Variant {
        /** Lock table, timed leases on the database clock: one upsert per acquire. */
        TABLE,
        /** Session advisory locks ({@code pg_try_advisory_lock}); the session's idle timeout is the lease. */
        ADVISORY,
        /** {@code SELECT … FOR UPDATE NOWAIT} in a transaction held open; its idle timeout is the lease. */
        ROWLOCK
    }

    public static final Variant DEFAULT_VARIANT = Variant.TABLE;
    /**
     * The most connections of the given DataSource a client holds at once, the listener's included:
     * a share a pool of HikariCP's default size (10) can spare. Session leases each keep one while
     * held, at most {@code maxConnections - 2} of them.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 4;
    /** How long a call waits for a free connection of the pool before failing (E2). */
    public static final Duration DEFAULT_CONNECTION_WAIT = Duration.ofSeconds(5);
    /** The network timeout set on every connection: no call waits longer for the server (E2). */
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(10);
    /** The longest a waiting acquire sleeps without a notification before trying again (L7). */
    public static final Duration DEFAULT_WAIT_FALLBACK = Duration.ofMillis(500);
    /** How often a client with session leases asks whether their sessions still exist (L5). */
    public static final Duration DEFAULT_SESSION_CHECK = Duration.ofMillis(100);
    /** Subtracted from every deadline (at most a tenth of the lease) for drift between the clocks. */
    public static final Duration DEFAULT_DRIFT_MARGIN = Duration.ofMillis(20);
    /** Prefix of the names hashed into advisory lock ids (no {@code :}). */
    public static final String DEFAULT_NAMESPACE = "lockkit";

    /** The DDL, with {@code {token}}, {@code {lock}}, {@code {rowlock}} and {@code {versioned}} for the names. */
    static final String SCHEMA_RESOURCE = "/io/lockkit/postgresql/schema.sql";

    private final Jdbi jdbi;
    private final Variant variant;
    private final TableNames tables;
    private final Ticker ticker;
    private final Duration driftMargin;
    private final Duration waitFallback;
    private final String namespace;
    private final SessionPool pool;
    private final Waiters waiters = new Waiters();
    private final Watcher watcher;
    private final PgJobLock jobLock;
    private final PgVersionedUpdate versionedUpdate;
    private final SchemaCheck schemaCheck;

    private PostgresBackend(Builder b) {
        this.jdbi = b.jdbi;
        this.variant = b.variant;
        this.tables = b.tables;
        this.ticker = b.ticker;
        this.driftMargin = b.driftMargin;
        this.waitFallback = b.waitFallback;
        this.namespace = b.namespace;
        this.pool = new SessionPool(
                "PostgreSQL",
                b.jdbi,
                PgSessions::setUp,
                Failures.KINDS,
                b.maxConnections,
                true,
                b.connectionWait,
                b.networkTimeout);
        this.watcher = new Watcher(name(), pool, channel(), waiters, b.sessionCheck, b.waitFallback);
        this.jobLock = switch (variant) {
            case TABLE -> new TableJobLock(this);
            case ADVISORY -> new AdvisoryJobLock(this);
            case ROWLOCK -> new RowJobLock(this);
        };
        this.versionedUpdate = new PgVersionedUpdate(this);
        this.schemaCheck = new SchemaCheck(this);
    }

    /** A client over {@code dataSource}; lockkit opens and closes its own connections from it. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Jdbi.create(Objects.requireNonNull(dataSource, "dataSource")));
    }

    /** A client over {@code jdbi}; lockkit opens its own handles from it, never joining the caller's. */
    public static Builder builder(Jdbi jdbi) {
        return new Builder(Objects.requireNonNull(jdbi, "jdbi"));
    }

    /** The DDL for {@code names}: a sequence and three tables, each {@code IF NOT EXISTS}. */
    public static String schemaSql(TableNames names) {
        Objects.requireNonNull(names, "names");
        try (InputStream in = PostgresBackend.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA_RESOURCE + " is missing from lockkit-backend-jdbc");
            }
            return Sql.render(new String(in.readAllBytes(), StandardCharsets.UTF_8), names);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Creates the sequence and tables if they do not exist, then checks them as {@link
     * #checkSchema()} does ({@code IF NOT EXISTS} keeps an existing object as it is). When everything
     * is there already, no DDL is sent, so a user without the {@code CREATE} privilege can call it on
     * a database its owner set up. Idempotent, and
     * safe when several processes run it at once: a transaction-scoped advisory lock, whose id no key
     * can take, serialises them (plain {@code CREATE … IF NOT EXISTS} can fail with 23505 when two
     * sessions race).
     *
     * @throws LockKitException naming the fix when an existing object is wrong
     * @throws io.lockkit.BackendUnavailableException when the database cannot be reached (E2)
     */
    public void createSchema() {
        if (schemaCheck.isSetUp()) {
            return; // nothing to create: no DDL, which a user without the CREATE privilege could not run
        }
        String ddl = schemaSql(tables);
        try {
            pool.call(
                    "createSchema",
                    h -> h.inTransaction(tx -> {
                        tx.createQuery(Sql.SCHEMA_LOCK)
                                .bind("class_id", KeyCodec.SCHEMA_LOCK_CLASS)
                                .bind("object_id", KeyCodec.SCHEMA_LOCK_OBJECT)
                                .mapTo(String.class)
                                .one();
                        executeScript(tx.getConnection(), ddl);
                        return null;
                    }));
        } catch (RuntimeException e) {
            throw Failures.translate("createSchema", e);
        }
        schemaCheck.require();
    }

    /**
     * Checks that the database is set up as this client needs it, in one round trip: the token
     * sequence exists with {@code CACHE 1}, a positive increment, {@code NO CYCLE} and {@code MINVALUE}
     * at least 1 (else tokens come out of order or repeat, L2, or below 1, which no fenced write takes), the variant's table and the versioned table exist, and for
     * the advisory variant the server is PostgreSQL 14 or later. Every call runs it until it passed
     * once.
     *
     * @throws LockKitException listing what is wrong and the statement or option that fixes it
     * @throws io.lockkit.BackendUnavailableException when the database cannot be reached (E2)
     */
    public void checkSchema() {
        schemaCheck.require();
    }

    private static void executeScript(Connection connection, String script) {
        try (Statement statement = connection.createStatement()) {
            statement.execute(script); // several statements in one simple query
        } catch (SQLException e) {
            LockKitException failed = Failures.unexpected("createSchema", e);
            if (!"42501".equals(e.getSQLState())) {
                throw failed;
            }
            throw new LockKitException(
                    failed.getMessage() + ". The user needs the CREATE privilege on the schema (GRANT CREATE ON"
                            + " SCHEMA … TO …); or let an owner create the objects, from the resource "
                            + SCHEMA_RESOURCE.substring(1) + " or PostgresBackend.schemaSql(tables), and open"
                            + " without createSchema",
                    e);
        }
    }

    /**
     * Optional clean-up of the lock table: deletes up to {@code limit} rows that expired more than
     * {@code olderThan} ago, skipping rows others have locked; returns how many. Never needed for
     * correctness (acquire never sweeps, L4); call it from a scheduler in bounded batches.
     */
    public int deleteExpiredLocks(Duration olderThan, int limit) {
        Objects.requireNonNull(olderThan, "olderThan");
        if (olderThan.isNegative() || limit < 1) {
            throw new IllegalArgumentException(
                    "olderThan must not be negative and limit must be ≥ 1, were " + olderThan + " and " + limit);
        }
        String sql = Sql.render(Sql.TABLE_DELETE_EXPIRED, tables);
        schemaCheck.require();
        try {
            return pool.call("deleteExpiredLocks", h -> h.createUpdate(sql)
                    .bind("micros", olderThan.toNanos() / 1000)
                    .bind("limit", limit)
                    .execute());
        } catch (RuntimeException e) {
            throw Failures.translate("deleteExpiredLocks", e);
        }
    }

    @Override
    public String name() {
        return "postgresql/" + variant.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                variant == Variant.TABLE ? Capability.TIMED_LEASE : Capability.SESSION_LEASE,
                Capability.RELEASE_NOTIFICATION,
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

    public Variant variant() {
        return variant;
    }

    public TableNames tables() {
        return tables;
    }

    /** The {@link Jdbi} this client opens its connections from. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * Stops the client: closes its connections. Timed leases stay in the table until they expire;
     * session leases end with their sessions (as when the process exits).
     */
    @Override
    public void close() {
        watcher.close();
        for (Watcher.Watched lease : watcher.watched()) {
            lease.sessionEnded();
        }
        pool.close();
    }

    // ---- shared with the package ----

    SessionPool pool() {
        return pool;
    }

    Waiters waiters() {
        return waiters;
    }

    Watcher watcher() {
        return watcher;
    }

    Ticker ticker() {
        return ticker;
    }

    Duration driftMargin() {
        return driftMargin;
    }

    Duration waitFallback() {
        return waitFallback;
    }

    String namespace() {
        return namespace;
    }

    /** Refuses to go on while the database is not set up as this client needs it (checked until it passed). */
    void requireSchema() {
        schemaCheck.require();
    }

    /** The NOTIFY channel of this variant's releases; the payload names the key. */
    String channel() {
        return "lockkit_" + variant.name().toLowerCase(Locale.ROOT);
    }

    /** Builds a {@link PostgresBackend}; {@link #build()} validates every option and reports all bad ones at once. */
    public static final class Builder {
        private final Jdbi jdbi;
        private Variant variant = DEFAULT_VARIANT;
        private TableNames tables = TableNames.DEFAULT;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration connectionWait = DEFAULT_CONNECTION_WAIT;
        private Duration networkTimeout = DEFAULT_NETWORK_TIMEOUT;
        private Duration waitFallback = DEFAULT_WAIT_FALLBACK;
        private Duration sessionCheck = DEFAULT_SESSION_CHECK;
        private Duration driftMargin = DEFAULT_DRIFT_MARGIN;
        private String namespace = DEFAULT_NAMESPACE;
        private Ticker ticker = Ticker.system();

        private Builder(Jdbi jdbi) {
            this.jdbi = jdbi;
        }

        public Builder variant(Variant variant) {
            this.variant = Objects.requireNonNull(variant, "variant");
            return this;
        }

        public Builder tables(TableNames tables) {
            this.tables = Objects.requireNonNull(tables, "tables");
            return this;
        }

        /**
         * The most connections of the DataSource this client holds at once ({@link
         * #DEFAULT_MAX_CONNECTIONS}): one listens for releases, session leases keep one each while
         * held (at most {@code maxConnections - 2}), and at least one is always left for statements.
         * At least 2 for the table variant, 3 for the session variants.
         */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder connectionWait(Duration connectionWait) {
            this.connectionWait = Objects.requireNonNull(connectionWait, "connectionWait");
            return this;
        }

        /** Set on every connection with {@link java.sql.Connection#setNetworkTimeout}; positive. */
        public Builder networkTimeout(Duration networkTimeout) {
            this.networkTimeout = Objects.requireNonNull(networkTimeout, "networkTimeout");
            return this;
        }

        public Builder waitFallback(Duration waitFallback) {
            this.waitFallback = Objects.requireNonNull(waitFallback, "waitFallback");
            return this;
        }

        public Builder sessionCheck(Duration sessionCheck) {
            this.sessionCheck = Objects.requireNonNull(sessionCheck, "sessionCheck");
            return this;
        }

        public Builder driftMargin(Duration driftMargin) {
            this.driftMargin = Objects.requireNonNull(driftMargin, "driftMargin");
            return this;
        }

        /** Prefix of the names hashed into advisory lock ids, without {@code :}; changing it changes every id. */
        public Builder namespace(String namespace) {
            this.namespace = Objects.requireNonNull(namespace, "namespace");
            return this;
        }

        /** The monotonic clock deadlines are measured on (tests inject their own). */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * The client. When the server can be reached, checks what exists of the schema as {@link
         * #checkSchema()} does and refuses a wrong token sequence or table, or, for the advisory
         * variant, a server older than PostgreSQL 14; what is still missing is refused by the first
         * call unless {@link #createSchema()} creates it.
         *
         * @throws IllegalArgumentException listing every bad option (E1)
         * @throws LockKitException naming the fix when an existing object is wrong
         */
        public PostgresBackend build() {
            List<String> bad = new ArrayList<>();
            int least = variant == Variant.TABLE ? 2 : 3;
            if (maxConnections < least) {
                bad.add("maxConnections=" + maxConnections + " (expected at least " + least + " for the "
                        + variant.name().toLowerCase(Locale.ROOT) + " variant: one listens for releases, one is"
                        + " kept for statements" + (least == 3 ? ", and a lease pins one" : "") + ")");
            }
            positive(bad, "connectionWait", connectionWait);
            positive(bad, "networkTimeout", networkTimeout);
            positive(bad, "waitFallback", waitFallback);
            positive(bad, "sessionCheck", sessionCheck);
            if (driftMargin.isNegative() || driftMargin.compareTo(Checks.MAX_DRIFT_MARGIN) > 0) {
                bad.add("driftMargin=" + driftMargin + " (expected from 0 to " + Checks.MAX_DRIFT_MARGIN + ")");
            }
            if (!KeyCodec.isNamespace(namespace)) {
                bad.add("namespace='" + namespace + "' (expected a non-empty name without ':', so that"
                        + " namespace:key names one pair only)");
            }
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("bad options for postgresql: " + String.join("; ", bad));
            }
            PostgresBackend backend = new PostgresBackend(this);
            try {
                backend.schemaCheck.atBuild();
            } catch (RuntimeException e) {
                backend.close();
                throw e;
            }
            return backend;
        }

        private static void positive(List<String> bad, String name, Duration d) {
            if (d.isZero() || d.isNegative()) {
                bad.add(name + "=" + d + " (expected a positive duration)");
            }
        }
    }
}
