package io.lockkit.postgresql;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The lock table variant: timed leases on the database clock, one statement per acquire, extend and
 * release on the client's own autocommit connections (never the caller's transaction, pitfall 19).
 * Thread-safe.
 */
final class TableJobLock extends PgJobLock {
    private static final Duration MAX_LEASE = ChronoUnit.CENTURIES.getDuration();

    private static final SecureRandom OWNERS = new SecureRandom();

    private final String acquireSql;
    private final String extendSql;
    private final String releaseSql;
    private final String abandonSql;

    /** What the acquire statement answers: a token when granted, else how long the holder still has. */
    private record Outcome(@Nullable Long token, @Nullable Double heldForSeconds) {}

    TableJobLock(PostgresBackend backend) {
        super(backend);
        TableNames names = backend.tables();
        this.acquireSql = Sql.render(Sql.TABLE_ACQUIRE, names);
        this.extendSql = Sql.render(Sql.TABLE_EXTEND, names);
        this.releaseSql = Sql.render(Sql.TABLE_RELEASE, names);
        this.abandonSql = Sql.render(Sql.TABLE_ABANDON, names);
    }

    @Override
    Duration maxLease() {
        return MAX_LEASE;
    }

    @Override
    Attempt attempt(String key, Duration lease) {
        byte[] stored = KeyCodec.bytes(key);
        long owner = OWNERS.nextLong();
        long sent = backend.ticker().nanos();
        AtomicBoolean tried = new AtomicBoolean();
        Outcome outcome;
        try {
            // Repeating after a lost reply is safe: the same owner id takes over its own first grant.
            outcome = backend.pool().call("acquire '" + key + "'", h -> {
                tried.set(true);
                return h.createQuery(acquireSql)
                        .bind("key", stored)
                        .bind("micros", micros(lease))
                        .bind("owner", owner)
                        .map((rs, ctx) -> new Outcome(rs.getObject("token", Long.class), heldFor(rs)))
                        .one();
            });
        } catch (RuntimeException e) {
            Failures.Kind kind = Failures.classify(e);
            if (kind == Failures.Kind.LOST_RACE) {
                return Attempt.held(0);
            }
            if (kind == Failures.Kind.CONNECTION && tried.get()) {
                abandon(stored, owner);
            }
            throw Failures.translate("acquire '" + key + "'", e);
        }
        if (outcome.token() == null) {
            Double left = outcome.heldForSeconds();
            return Attempt.held(left == null ? Long.MAX_VALUE : (long) (Math.max(0, left) * 1e9) + 1_000_000);
        }
        return Attempt.granted(new TableLease(this, key, stored, outcome.token(), sent, lease, margin(lease)));
    }

    /**
     * After a lost reply the attempt may have been granted, though no lease is reported (E2): ends
     * that grant, best effort, on another connection, so it does not block the key for the whole
     * lease (L1, L4). A failure is ignored: the grant then expires by itself.
     */
    private void abandon(byte[] key, long owner) {
        try {
            backend.pool().call("abandon a lost acquire", h -> h.createQuery(abandonSql)
                    .bind("key", key)
                    .bind("owner", owner)
                    .bind("channel", backend.channel())
                    .bind("payload", KeyCodec.payload(key))
                    .mapTo(Long.class)
                    .one());
        } catch (RuntimeException ignored) {
            // the grant, if any, expires at the end of its lease
        }
    }

    boolean extend(byte[] key, long token, Duration lease) {
        return call(
                "extend",
                () -> backend.pool().call("extend", h -> h.createUpdate(extendSql)
                                .bind("key", key)
                                .bind("token", token)
                                .bind("micros", micros(lease))
                                .execute())
                        == 1);
    }

    boolean release(byte[] key, long token) {
        return call(
                "release",
                () -> backend.pool().call("release", h -> h.createQuery(releaseSql)
                                .bind("key", key)
                                .bind("token", token)
                                .bind("channel", backend.channel())
                                .bind("payload", KeyCodec.payload(key))
                                .mapTo(Long.class)
                                .one())
                        == 1);
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

    private static long micros(Duration lease) {
        return lease.getSeconds() * 1_000_000 + (lease.getNano() + 999) / 1000;
    }
}
