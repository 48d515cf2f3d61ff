package io.lockkit.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Where PostgreSQL's acquire + release time goes: the statements alone, prepared, in autocommit on
 * one plain pgjdbc connection (no Jdbi, no pool), against the floor. {@code select1}: the read floor
 * (one round trip, no commit). {@code update}: the write floor, one single-row autocommit {@code
 * UPDATE} (one round trip and a commit). {@code table}: lockkit's table-variant acquire and release
 * statements, copied from {@code backend-jdbc}'s {@code Sql} (two round trips, two commits). {@code
 * table-no-notify}: the same without the release's {@code pg_notify}. {@code table-jdbi}: the same
 * two statements through Jdbi's fluent API on one handle, as the backend sent them before it ran them as plain JDBC. {@code shedlock}: ShedLock's
 * JDBC lock and unlock statements (two plain {@code UPDATE}s). Every call MUST succeed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PgWorkBench {
    /** {@code backend-jdbc} Sql.TABLE_ACQUIRE with the default table names. */
    static final String TABLE_ACQUIRE =
            """
            WITH held AS (
                SELECT extract(epoch FROM expires_at - clock_timestamp()) AS held_for FROM "lockkit_lock"
                WHERE key = ? AND expires_at > clock_timestamp() AND owner <> ?),
            granted AS (
                INSERT INTO "lockkit_lock" AS l (key, token, owner, expires_at)
                SELECT ?, nextval('"lockkit_token"'), ?, clock_timestamp() + ? * interval '1 microsecond'
                WHERE NOT EXISTS (SELECT 1 FROM held)
                ON CONFLICT (key) DO UPDATE
                    SET token = nextval('"lockkit_token"'),
                        owner = excluded.owner,
                        expires_at = clock_timestamp() + ? * interval '1 microsecond'
                    WHERE l.expires_at <= clock_timestamp() OR l.owner = excluded.owner
                RETURNING token)
            SELECT (SELECT token FROM granted) AS token, (SELECT held_for FROM held) AS held_for
            """;

    /** {@code backend-jdbc} Sql.TABLE_RELEASE with the default table names. */
    static final String TABLE_RELEASE =
            """
            WITH released AS (
                UPDATE "lockkit_lock" SET expires_at = clock_timestamp() WHERE key = ? AND token = ? RETURNING key)
            SELECT count(pg_notify(?, ?)) AS released FROM released
            """;

    static final String TABLE_RELEASE_NO_NOTIFY =
            """
            WITH released AS (
                UPDATE "lockkit_lock" SET expires_at = clock_timestamp() WHERE key = ? AND token = ? RETURNING key)
            SELECT count(*) AS released FROM released
            """;

    /** ShedLock 6's JDBC provider, after the first insert of a name: lock, then unlock. */
    static final String SHEDLOCK_LOCK =
            "UPDATE shedlock SET lock_until = ?, locked_at = ?, locked_by = ? WHERE name = ? AND lock_until <= ?";

    static final String SHEDLOCK_UNLOCK = "UPDATE shedlock SET lock_until = ? WHERE name = ?";
    private static final long LEASE_MICROS = 30_000_000;

    @Param({"select1", "update", "table", "table-no-notify", "table-jdbi", "shedlock"})
    public String statement = "";

    private Connection connection;
    private @Nullable Handle handle;
    private String jdbiAcquire = "";
    private String jdbiRelease = "";
    private PreparedStatement first;
    private PreparedStatement second;
    private byte[] key = new byte[0];
    private String name = "";
    private long owner;

    @Setup
    public void open() throws SQLException {
        // The schema exists once any lockkit client has run createSchema: make sure of it.
        Clients.lockkit("postgresql/table").close();
        connection = Clients.dataSource().getConnection();
        name = Clients.freshKey("work");
        key = name.getBytes(StandardCharsets.UTF_8);
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bench_work (id text PRIMARY KEY, v bigint NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS shedlock (name VARCHAR(64) NOT NULL, lock_until TIMESTAMP NOT NULL,"
                    + " locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
        }
        switch (statement) {
            case "select1" -> first = connection.prepareStatement("SELECT 1");
            case "update" -> {
                first = connection.prepareStatement("UPDATE bench_work SET v = v + 1 WHERE id = ?");
                first.setString(1, name);
                try (PreparedStatement insert =
                        connection.prepareStatement("INSERT INTO bench_work (id, v) VALUES (?, 0)")) {
                    insert.setString(1, name);
                    insert.executeUpdate();
                }
            }
            case "table", "table-no-notify" -> {
                first = connection.prepareStatement(TABLE_ACQUIRE);
                second = connection.prepareStatement(
                        statement.equals("table") ? TABLE_RELEASE : TABLE_RELEASE_NO_NOTIFY);
            }
            case "table-jdbi" -> {
                handle = Jdbi.create(Clients.dataSource()).open();
                jdbiAcquire = PgBreakdown.named(TABLE_ACQUIRE, "key", "owner", "key", "owner", "micros", "micros");
                jdbiRelease = PgBreakdown.named(TABLE_RELEASE, "key", "token", "channel", "payload");
            }
            case "shedlock" -> {
                first = connection.prepareStatement(SHEDLOCK_LOCK);
                second = connection.prepareStatement(SHEDLOCK_UNLOCK);
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO shedlock (name, lock_until, locked_at, locked_by) VALUES (?, ?, ?, 'bench')")) {
                    Timestamp now = Timestamp.from(Instant.now());
                    insert.setString(1, name);
                    insert.setTimestamp(2, now);
                    insert.setTimestamp(3, now);
                    insert.executeUpdate();
                }
            }
            default -> throw new IllegalArgumentException("unknown statement: " + statement);
        }
    }

    @TearDown
    public void close() throws SQLException {
        if (handle != null) {
            handle.close();
        }
        connection.close();
    }

    @Benchmark
    public long run() throws SQLException {
        return switch (statement) {
            case "select1" -> one(first);
            case "update" -> updated(first.executeUpdate());
            case "table", "table-no-notify" -> table();
            case "table-jdbi" -> tableThroughJdbi();
            default -> shedlock();
        };
    }

    private long table() throws SQLException {
        owner++;
        first.setBytes(1, key);
        first.setLong(2, owner);
        first.setBytes(3, key);
        first.setLong(4, owner);
        first.setLong(5, LEASE_MICROS);
        first.setLong(6, LEASE_MICROS);
        long token;
        try (ResultSet rs = first.executeQuery()) {
            rs.next();
            token = rs.getLong(1);
            if (rs.wasNull()) {
                throw new IllegalStateException("the table acquire statement did not grant a free key");
            }
        }
        second.setBytes(1, key);
        second.setLong(2, token);
        if (statement.equals("table")) {
            second.setString(3, "lockkit_bench_work");
            second.setString(4, name);
        }
        return updated((int) one(second));
    }

    /** The same two statements through Jdbi's fluent API, named parameters, one handle (how the backend sent them before). */
    private long tableThroughJdbi() {
        Handle h = handle;
        if (h == null) {
            throw new IllegalStateException("not set up");
        }
        owner++;
        long token = h.createQuery(jdbiAcquire)
                .bind("key", key)
                .bind("owner", owner)
                .bind("micros", LEASE_MICROS)
                .mapTo(Long.class)
                .one();
        return updated(h.createQuery(jdbiRelease)
                .bind("key", key)
                .bind("token", token)
                .bind("channel", "lockkit_bench_work")
                .bind("payload", name)
                .mapTo(Integer.class)
                .one());
    }

    private long shedlock() throws SQLException {
        Instant now = Instant.now();
        first.setTimestamp(1, Timestamp.from(now.plus(Duration.ofSeconds(30))));
        first.setTimestamp(2, Timestamp.from(now));
        first.setString(3, "bench");
        first.setString(4, name);
        first.setTimestamp(5, Timestamp.from(now));
        updated(first.executeUpdate());
        // ShedLock's unlock sets lock_until to max(now, lockedAt + lockAtLeastFor) = now.
        second.setTimestamp(1, Timestamp.from(Instant.now()));
        second.setString(2, name);
        return updated(second.executeUpdate());
    }

    private static long one(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long updated(int rows) {
        if (rows != 1) {
            throw new IllegalStateException("expected one row, got " + rows);
        }
        return rows;
    }
}
