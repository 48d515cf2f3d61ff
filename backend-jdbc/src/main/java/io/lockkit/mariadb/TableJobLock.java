package io.lockkit.mariadb;

import io.lockkit.BackendUnavailableException;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.jdbc.internal.Acquiring;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.SessionPool;
import io.lockkit.jdbc.internal.SqlErrors;
import io.lockkit.jdbc.internal.TableLease;
import io.lockkit.spi.Checks;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The lock table: timed leases on the database clock, one statement per acquire, extend and
 * release on the client's own autocommit connections (never the caller's transaction). A waiting
 * {@link #acquire} polls, at most every {@link MariaDbBackend.Builder#pollInterval} and no later
 * than the holder's expiry (for now: MariaDB has no LISTEN/NOTIFY; waking on {@code GET_LOCK} is the
 * planned wake-up). Thread-safe.
 */
final class TableJobLock implements JobLock, TableLease.Table {
    private static final SecureRandom OWNERS = new SecureRandom();

    private final MariaDbBackend backend;
    private final LeaseLimits limits;
    private final Prepared acquireSql;
    private final Prepared extendSql;
    private final Prepared releaseSql;
    private final Prepared abandonSql;

    /** What the acquire statement answers: the key's row afterwards. */
    private record Row(long token, long owner, long heldForMicros) {}

    TableJobLock(MariaDbBackend backend) {
        this.backend = backend;
        this.limits = LeaseLimits.forDriftMargin(backend.driftMargin());
        this.acquireSql = backend.statement(MariaDbSql.ACQUIRE);
        this.extendSql = backend.statement(MariaDbSql.EXTEND);
        this.releaseSql = backend.statement(MariaDbSql.RELEASE);
        this.abandonSql = backend.statement(MariaDbSql.ABANDON);
    }

    @Override
    public LeaseLimits leaseLimits() {
        return limits;
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration lease) {
        check(key, lease);
        try {
            return Optional.ofNullable(attempt(key, lease, null, null));
        } catch (InterruptedException e) {
            throw new AssertionError("a try without a deadline waits deaf to interrupts", e);
        }
    }

    @Override
    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        check(key, lease);
        Checks.maxWait(maxWait);
        if (maxWait.isZero()) {
            return tryAcquire(key, lease);
        }
        long waitNanos = Acquiring.saturatedNanos(maxWait);
        long start = System.nanoTime();
        long[] retryAfter = new long[1];
        try {
            while (true) {
                Acquiring.throwIfInterrupted();
                Lease granted = attempt(key, lease, retryAfter, start + waitNanos);
                if (granted != null) {
                    return Optional.of(Acquiring.keepUnlessInterrupted(granted));
                }
                long left = waitNanos - (System.nanoTime() - start);
                if (left <= 0) {
                    return Optional.empty();
                }
                long poll = Math.min(backend.pollInterval().toNanos(), retryAfter[0]);
                TimeUnit.NANOSECONDS.sleep(Math.max(0, Math.min(left, poll)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // L8: the flag stays set for the caller
            throw e;
        }
    }

    /**
     * One try; a lost race is null, never an exception (L6). {@code retryAfter}, when given, gets
     * how long until the holder's lease ends (1 ms after a deadlock or lock-wait timeout that persisted).
     */
    private Row upsert(org.jdbi.v3.core.Handle h, byte[] stored, long owner, Duration lease) {
        return acquireSql
                .on(h)
                .set("key", stored)
                .set("owner", owner)
                .set("micros", Acquiring.micros(lease))
                .one(rs -> new Row(rs.getLong("token"), rs.getLong("owner"), rs.getLong("held_for")));
    }

    private @Nullable Lease attempt(String key, Duration lease, long @Nullable [] retryAfter, @Nullable Long deadline)
            throws InterruptedException {
        byte[] stored = KeyBytes.bytes(key);
        long owner;
        do {
            owner = OWNERS.nextLong();
        } while (owner == 0); // 0 is the placeholder's
        long sent = backend.ticker().nanos();
        AtomicBoolean tried = new AtomicBoolean();
        Row row;
        String what = "acquire '" + key + "'";
        try {
            // Repeating after a lost reply is safe: the same owner id takes over its own grant.
            long attemptOwner = owner;
            SessionPool.Op<Row> op = h -> {
                tried.set(true);
                Row r = upsert(h, stored, attemptOwner, lease);
                // A key's first attempt inserted the placeholder: once more, to take it (see MariaDbSql.ACQUIRE).
                return r.owner() == 0 ? upsert(h, stored, attemptOwner, lease) : r;
            };
            // a waiting acquire waits for a connection within its maxWait, reacting to interrupts (L7, L8):
            // null when none came free in time
            row = backend.pool().callBy(what, deadline, op);
        } catch (RuntimeException e) {
            MariaDbFailures.Kind kind = MariaDbFailures.classify(e);
            if (kind == MariaDbFailures.Kind.LOST_RACE) {
                if (retryAfter != null) {
                    retryAfter[0] = 1_000_000; // a deadlock that persisted: try again soon, not at once
                }
                return null;
            }
            if (kind == MariaDbFailures.Kind.CONNECTION && tried.get()) {
                abandon(stored, owner);
            }
            throw MariaDbFailures.translate(what, e);
        }
        if (row == null || row.owner() != owner) {
            if (retryAfter != null) {
                long micros = row == null ? 0 : Math.max(0, row.heldForMicros());
                retryAfter[0] = TimeUnit.MICROSECONDS.toNanos(micros) + 1_000_000;
            }
            return null;
        }
        return new TableLease(
                this,
                key,
                stored,
                row.token(),
                backend.ticker(),
                sent,
                lease,
                Acquiring.margin(backend.driftMargin(), lease),
                limits);
    }

    /**
     * After a lost reply the attempt may have been granted, though no lease is reported (E2): ends
     * that grant, best effort, so it does not block the key for the whole lease (L1, L4).
     */
    private void abandon(byte[] key, long owner) {
        try {
            backend.pool().call("abandon a lost acquire", h -> abandonSql
                    .on(h)
                    .set("key", key)
                    .set("owner", owner)
                    .update());
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
                                .update())
                        == 1);
    }

    @Override
    public boolean release(byte[] key, long token) {
        return call(
                "release",
                () -> backend.pool().call("release", h -> releaseSql
                                .on(h)
                                .set("key", key)
                                .set("token", token)
                                .update())
                        == 1);
    }

    /**
     * A release or extend that InnoDB kept rolling back (deadlock 1213, lock-wait timeout 1205, each
     * sent again by the pool up to {@link io.lockkit.jdbc.internal.SessionPool#SERIALIZATION_RETRIES}
     * times) changed nothing, but says nothing about ownership either: "false" would tell the holder
     * it had lost its lease (L3). So the store is reported unable to answer (E2).
     */
    private static boolean call(String what, BooleanSupplier op) {
        try {
            return op.getAsBoolean();
        } catch (RuntimeException e) {
            if (MariaDbFailures.classify(e) == MariaDbFailures.Kind.LOST_RACE) {
                throw new BackendUnavailableException(
                        "MariaDB could not " + what + ": the statement kept being rolled back by lock waits or"
                                + " deadlocks (error " + SqlErrors.vendorCode(e) + "); nothing was changed",
                        e);
            }
            throw MariaDbFailures.translate(what, e);
        }
    }

    /** E1, before anything is sent: the key, and the lease against {@link #leaseLimits()}. */
    private void check(String key, Duration lease) {
        Checks.key(key);
        limits.check(lease);
    }
}
