package io.lockkit.postgresql;

import io.lockkit.LeaseLimits;
import io.lockkit.jdbc.internal.Acquiring;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.SessionPool;
import io.lockkit.jdbc.internal.TableLease;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The lock table variant: timed leases on the database clock, one statement per acquire, extend and
 * release on the client's own autocommit connections (never the caller's transaction, INCIDENTS.md
 * row 19). Thread-safe.
 */
final class TableJobLock extends PgJobLock implements TableLease.Table {
    private static final SecureRandom OWNERS = new SecureRandom();

    private final Prepared acquireSql;
    private final Prepared extendSql;
    private final Prepared releaseSql;
    private final Prepared abandonSql;

    /** What the acquire statement answers: a token when granted, else how long the holder still has. */
    private record Outcome(@Nullable Long token, @Nullable Double heldForSeconds) {}

    TableJobLock(PostgresBackend backend) {
        super(backend, LeaseLimits.MAX);
        TableNames names = backend.tables();
        this.acquireSql = Prepared.of(Sql.render(Sql.TABLE_ACQUIRE, names));
        this.extendSql = Prepared.of(Sql.render(Sql.TABLE_EXTEND, names));
        this.releaseSql = Prepared.of(Sql.render(Sql.TABLE_RELEASE, names));
        this.abandonSql = Prepared.of(Sql.render(Sql.TABLE_ABANDON, names));
    }

    @Override
    Attempt attempt(String key, Duration lease) {
        try {
            return tryOnce(key, lease, null);
        } catch (InterruptedException e) {
            throw new AssertionError("a try without a deadline waits deaf to interrupts", e);
        }
    }

    /** Waits for a connection within {@code leftNanos}, reacting to interrupts (L7, L8). */
    @Override
    Attempt attempt(String key, Duration lease, long leftNanos) throws InterruptedException {
        return tryOnce(key, lease, System.nanoTime() + leftNanos);
    }

    /** One try; with a deadline, its wait for a connection reacts to interrupts and ends there (held). */
    private Attempt tryOnce(String key, Duration lease, @Nullable Long deadline) throws InterruptedException {
        byte[] stored = KeyBytes.bytes(key);
        long owner = OWNERS.nextLong();
        long sent = backend.ticker().nanos();
        AtomicBoolean tried = new AtomicBoolean();
        String what = "acquire '" + key + "'";
        Outcome outcome;
        try {
            // Repeating after a lost reply is safe: the same owner id takes over its own first grant.
            SessionPool.Op<Outcome> op = h -> {
                tried.set(true);
                return acquireSql
                        .on(h)
                        .set("key", stored)
                        .set("micros", Acquiring.micros(lease))
                        .set("owner", owner)
                        .one(rs -> new Outcome(rs.getObject("token", Long.class), heldFor(rs)));
            };
            outcome = backend.pool().callBy(what, deadline, op);
            if (outcome == null) {
                return Attempt.held(Long.MAX_VALUE); // no connection came free within the acquire's wait
            }
        } catch (RuntimeException e) {
            Failures.Kind kind = Failures.classify(e);
            if (kind == Failures.Kind.LOST_RACE) {
                return Attempt.held(0);
            }
            if (kind == Failures.Kind.CONNECTION && tried.get()) {
                abandon(stored, owner);
            }
            throw Failures.translate(what, e);
        }
        if (outcome.token() == null) {
            Double left = outcome.heldForSeconds();
            return Attempt.held(left == null ? Long.MAX_VALUE : (long) (Math.max(0, left) * 1e9) + 1_000_000);
        }
        return Attempt.granted(new TableLease(
                this, key, stored, outcome.token(), backend.ticker(), sent, lease, margin(lease), leaseLimits()));
    }

    /**
     * After a lost reply the attempt may have been granted, though no lease is reported (E2): ends
     * that grant, best effort, on another connection, so it does not block the key for the whole
     * lease (L1, L4). A failure is ignored: the grant then expires by itself.
     */
    private void abandon(byte[] key, long owner) {
        try {
            backend.pool().call("abandon a lost acquire", h -> abandonSql
                    .on(h)
                    .set("key", key)
                    .set("owner", owner)
                    .set("channel", backend.channel())
                    .set("payload", KeyBytes.payload(key))
                    .one(rs -> rs.getLong(1)));
        } catch (RuntimeException ignored) {
            // the grant, if any, expires at the end of its lease
        }
    }

    @Override
    public boolean extend(byte[] key, long token, Duration lease) {
        return call(
                "extend",
                () -> backend.pool().call("extend", h -> extendSql
                                .on(h)
                                .set("key", key)
                                .set("token", token)
                                .set("micros", Acquiring.micros(lease))
                                .one(rs -> rs.getLong("extended")))
                        == 1L);
    }

    @Override
    public boolean release(byte[] key, long token) {
        return call(
                "release",
                () -> backend.pool().call("release", h -> releaseSql
                                .on(h)
                                .set("key", key)
                                .set("token", token)
                                .set("marker_class", KeyCodec.WAIT_MARKER_CLASS)
                                .set("marker", marker(key))
                                .set("channel", backend.channel())
                                .set("payload", KeyBytes.payload(key))
                                .one(rs -> rs.getLong("released")))
                        == 1);
    }

    /** A release notifies only clients that hold the key's wait marker (see {@link Sql#TABLE_RELEASE}). */
    @Override
    Integer waitMarker(String key) {
        return marker(KeyBytes.bytes(key));
    }

    /**
     * The wait marker of the key whose stored bytes are {@code key}: of the key alone, not of this
     * client's namespace or tables, so that every client that can wait for the same row computes the
     * same marker (two keys sharing one costs a notification nobody needed, never a missed one).
     */
    private static int marker(byte[] key) {
        return KeyCodec.waitMarker(KeyCodec.markerId(key));
    }

    private static boolean call(String what, java.util.function.BooleanSupplier op) {
        try {
            return op.getAsBoolean();
        } catch (RuntimeException e) {
            if (Failures.classify(e) == Failures.Kind.LOST_RACE) {
                return false;
            }
            throw Failures.translate(what, e);
        }
    }

    private static @Nullable Double heldFor(java.sql.ResultSet rs) throws java.sql.SQLException {
        double seconds = rs.getDouble("held_for");
        return rs.wasNull() ? null : seconds;
    }
}
