package io.lockkit.postgresql;

import io.lockkit.FencedOutException;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import io.lockkit.jdbc.internal.SessionPool;
import io.lockkit.spi.Checks;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * {@link VersionedUpdate} on the {@code lockkit_versioned} table: one statement, one round trip, per
 * call (V1–V3). Every write stores a random write id. When a write's reply is lost (V4) it is sent
 * once more with the same id on a new connection — at most one of the two copies can apply, since
 * both expect the same state — and if that copy does not apply, the row's last write id tells
 * whether the first did; when the history since then hides it, {@link OutcomeUnknownException}.
 * A create is the exception: the state it expects can recur, so it is sent again only when the key
 * has no row at all and the first copy can no longer apply ({@link #settleCreate}). Thread-safe.
 */
final class PgVersionedUpdate implements VersionedUpdate {
    private static final SecureRandom WRITE_IDS = new SecureRandom();

    private final PostgresBackend backend;
    private final Prepared readSql;
    private final Prepared createSql;
    private final Prepared fencedCreateSql;
    private final Prepared casSql;
    private final Prepared fencedCasSql;
    private final Prepared deleteSql;
    private final Prepared fencedDeleteSql;
    private final Prepared lastWriteSql;
    private final Prepared sessionStateSql = Prepared.of(Sql.SESSION_STATE);

    /** The row as the last write left it. */
    private record LastWrite(long version, boolean deleted, long writeId) {}

    /** One write statement, given its write id. */
    @FunctionalInterface
    private interface Write<T> {
        T send(Handle h, long writeId);
    }

    PgVersionedUpdate(PostgresBackend backend) {
        this.backend = backend;
        TableNames names = backend.tables();
        this.readSql = Prepared.of(Sql.render(Sql.READ, names));
        this.createSql = Prepared.of(Sql.render(Sql.CREATE, names));
        this.fencedCreateSql = Prepared.of(Sql.render(Sql.FENCED_CREATE, names));
        this.casSql = Prepared.of(Sql.render(Sql.CAS, names));
        this.fencedCasSql = Prepared.of(Sql.render(Sql.FENCED_CAS, names));
        this.deleteSql = Prepared.of(Sql.render(Sql.DELETE, names));
        this.fencedDeleteSql = Prepared.of(Sql.render(Sql.FENCED_DELETE, names));
        this.lastWriteSql = Prepared.of(Sql.render(Sql.LAST_WRITE, names));
    }

    @Override
    public Optional<Versioned> read(String key) {
        byte[] stored = KeyBytes.bytes(Checks.key(key));
        backend.requireSchema();
        try {
            return backend.pool().call("read '" + key + "'", h -> readSql.on(h)
                    .set("key", stored)
                    .optional(rs -> new Versioned(key, rs.getBytes("value"), rs.getLong("version"))));
        } catch (RuntimeException e) {
            throw Failures.translate("read '" + key + "'", e);
        }
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value) {
        Checks.key(key);
        Checks.value(value);
        byte[] stored = KeyBytes.bytes(key);
        backend.requireSchema();
        Optional<Long> version = write("create '" + key + "'", stored, 0, false, (h, id) -> createSql
                .on(h)
                .set("key", stored)
                .set("value", value)
                .set("write_id", id)
                .optional(rs -> rs.getLong(1)));
        return version.map(v -> new Versioned(key, value, v));
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        byte[] stored = KeyBytes.bytes(key);
        backend.requireSchema();
        Optional<Long> version = write(
                "create '" + key + "'",
                stored,
                0,
                false,
                (h, id) -> fencedCreate(h, key, stored, value, fencingToken, id));
        return version.map(v -> new Versioned(key, value, v));
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        byte[] stored = KeyBytes.bytes(key);
        backend.requireSchema();
        Optional<Long> version =
                write("compareAndSet '" + key + "'", stored, expectedVersion, false, (h, id) -> casSql.on(h)
                        .set("key", stored)
                        .set("value", value)
                        .set("expected", expectedVersion)
                        .set("write_id", id)
                        .optional(rs -> rs.getLong(1)));
        return version.map(v -> new Versioned(key, value, v));
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        byte[] stored = KeyBytes.bytes(key);
        backend.requireSchema();
        Optional<Long> version = write(
                "compareAndSet '" + key + "'",
                stored,
                expectedVersion,
                false,
                (h, id) -> fenced(
                        key,
                        fencingToken,
                        fencedCasSql
                                .on(h)
                                .set("key", stored)
                                .set("value", value)
                                .set("expected", expectedVersion)
                                .set("token", fencingToken)
                                .set("write_id", id)));
        return version.map(v -> new Versioned(key, value, v));
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        byte[] stored = KeyBytes.bytes(key);
        backend.requireSchema();
        Optional<Long> deleted = write(
                "delete '" + key + "'",
                stored,
                expectedVersion,
                true,
                (h, id) -> deleteSql
                                        .on(h)
                                        .set("key", stored)
                                        .set("expected", expectedVersion)
                                        .set("write_id", id)
                                        .update()
                                == 1
                        ? Optional.of(expectedVersion)
                        : Optional.empty());
        return deleted.isPresent();
    }

    @Override
    public boolean delete(String key, long expectedVersion, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.fencingToken(fencingToken);
        byte[] stored = KeyBytes.bytes(key);
        backend.requireSchema();
        Optional<Long> deleted = write(
                "delete '" + key + "'",
                stored,
                expectedVersion,
                true,
                (h, id) -> fenced(
                        key,
                        fencingToken,
                        fencedDeleteSql
                                .on(h)
                                .set("key", stored)
                                .set("expected", expectedVersion)
                                .set("token", fencingToken)
                                .set("write_id", id)));
        return deleted.isPresent();
    }

    /**
     * Runs {@link Sql#FENCED_CREATE}: the new version when the row now carries this write's id, else
     * {@link FencedOutException} when a larger token has written the key, else empty (the key exists).
     */
    private Optional<Long> fencedCreate(Handle h, String key, byte[] stored, byte[] value, long token, long writeId) {
        record Outcome(long version, long fence, long writeId) {}
        Outcome outcome = Objects.requireNonNull(fencedCreateSql
                .on(h)
                .set("key", stored)
                .set("value", value)
                .set("token", token)
                .set("write_id", writeId)
                .one(rs -> new Outcome(rs.getLong("version"), rs.getLong("fence"), rs.getLong("write_id"))));
        if (outcome.writeId() == writeId) {
            return Optional.of(outcome.version());
        }
        if (outcome.fence() > token) {
            throw new FencedOutException(key, token, outcome.fence());
        }
        return Optional.empty();
    }

    /**
     * Runs a bound {@link Sql#FENCED_CAS} or {@link Sql#FENCED_DELETE}: the version it wrote, empty
     * on a plain conflict, {@link FencedOutException} when a larger token has written the key.
     */
    private static Optional<Long> fenced(String key, long token, Prepared.Call query) {
        record Outcome(@Nullable Long version, @Nullable Long fence) {}
        Outcome outcome = Objects.requireNonNull(
                query.one(rs -> new Outcome(rs.getObject("version", Long.class), rs.getObject("fence", Long.class))));
        if (outcome.version() == null && outcome.fence() != null && outcome.fence() > token) {
            throw new FencedOutException(key, token, outcome.fence());
        }
        return Optional.ofNullable(outcome.version());
    }

    /**
     * Sends a write; a lost race is empty (L6). After a lost reply, settles the outcome (V4): see
     * the class comment. {@code expected} is 0 for a create.
     */
    private Optional<Long> write(String what, byte[] key, long expected, boolean deleting, Write<Optional<Long>> op) {
        long writeId = WRITE_IDS.nextLong();
        Session session;
        RuntimeException lost;
        for (int attempt = 1; ; attempt++) {
            session = backend.pool().borrow(what); // E2: nothing was sent if this fails
            try {
                return backend.pool().runOnce(session, h -> op.send(h, writeId));
            } catch (RuntimeException e) {
                if (Failures.rolledBackForARetry(e) && attempt < SessionPool.SERIALIZATION_RETRIES) {
                    // 40001/40P01: rolled back, nothing applied; under SERIALIZABLE possibly with no
                    // other writer at all, so only a fresh attempt tells a lost race (V1).
                    continue;
                }
                if (!Failures.isConnection(e)) {
                    return lostRaceOrThrow(what, e);
                }
                lost = e;
                break;
            }
        }
        Session sentOn = session;
        RuntimeException lostReply = lost;
        try {
            Session fresh = backend.pool().open(what);
            return backend.pool()
                    .runOnce(
                            fresh,
                            h -> expected == 0
                                    ? settleCreate(h, what, key, writeId, sentOn, op, lostReply)
                                    : settle(h, what, key, expected, deleting, writeId, op, lostReply));
        } catch (FencedOutException | OutcomeUnknownException e) {
            throw e;
        } catch (RuntimeException e) {
            e.addSuppressed(lost);
            throw new OutcomeUnknownException(
                    what + ": the reply was lost and the outcome could not be settled: " + Failures.describe(e), e);
        }
    }

    private Optional<Long> settle(
            Handle h,
            String what,
            byte[] key,
            long expected,
            boolean deleting,
            long writeId,
            Write<Optional<Long>> op,
            RuntimeException lost) {
        Optional<Long> again;
        FencedOutException refused = null;
        try {
            again = op.send(h, writeId);
        } catch (FencedOutException e) {
            again = Optional.empty();
            refused = e;
        }
        if (again.isPresent()) {
            return again;
        }
        LastWrite last = lastWrite(h, key);
        if (last != null && last.writeId() == writeId) {
            return Optional.of(deleting ? expected : last.version()); // the first copy applied: it is ours (V4)
        }
        // The state a write expects is left exactly once; if someone else's write left it, ours did not.
        boolean notOurs = last == null
                || last.version() == expected
                || (!deleting && !last.deleted() && last.version() == expected + 1);
        if (!notOurs) {
            throw new OutcomeUnknownException(
                    what + ": the reply was lost, and later writes hide whether it applied; read the key and decide",
                    lost);
        }
        if (refused != null) {
            throw refused;
        }
        return Optional.empty();
    }

    /**
     * V4 for a create, whose expected state (no row, or a tombstone) can come back after it applied:
     * someone deletes the key, and a copy sent again would apply a second time — also when the first
     * copy is still running on the server (waiting for a lock) and applies after the second and a
     * delete. So the copy is sent again only when the key has no row at all, which no write leaves
     * behind, and the session the first copy was sent on has since ended or gone idle, so that copy
     * can no longer apply (the session is read first, then the row). A row whose last write is ours
     * is our create; anything else is {@link OutcomeUnknownException}.
     */
    private Optional<Long> settleCreate(
            Handle h,
            String what,
            byte[] key,
            long writeId,
            Session sentOn,
            Write<Optional<Long>> op,
            RuntimeException lost) {
        boolean firstCopyDone = isDone(h, sentOn);
        LastWrite last = lastWrite(h, key);
        if (last != null && last.writeId() == writeId) {
            return Optional.of(last.version()); // the first copy applied and is still the last write
        }
        if (last != null) {
            throw new OutcomeUnknownException(
                    what + ": the reply was lost, and the key has since been written by others, which hides"
                            + " whether this create applied; read the key and decide",
                    lost);
        }
        if (!firstCopyDone) {
            throw new OutcomeUnknownException(
                    what + ": the reply was lost while the create may still be running on the server, where it"
                            + " can still apply; read the key later and decide",
                    lost);
        }
        Optional<Long> again = op.send(h, writeId);
        if (again.isPresent()) {
            return again;
        }
        last = lastWrite(h, key); // another create came first: a plain conflict, unless it was ours
        return last != null && last.writeId() == writeId ? Optional.of(last.version()) : Optional.empty();
    }

    /**
     * Whether nothing sent on {@code session} can still apply: its server session has ended, or is
     * idle (autocommit: its last statement has committed or failed). False when the session cannot
     * be told apart on the server (a proxy between client and server) or its state is hidden.
     */
    private boolean isDone(Handle h, Session session) {
        if (!session.identified()) {
            return false;
        }
        Optional<String> state = sessionStateSql
                .on(h)
                .set("pid", session.pid())
                .set("started", session.started())
                .optional(rs -> rs.getString("state") == null ? "unknown" : rs.getString("state"));
        return state.isEmpty() || state.get().equals("idle");
    }

    private @Nullable LastWrite lastWrite(Handle h, byte[] key) {
        return lastWriteSql
                .on(h)
                .set("key", key)
                .optional(rs -> new LastWrite(rs.getLong("version"), rs.getBoolean("deleted"), rs.getLong("write_id")))
                .orElse(null);
    }

    private static Optional<Long> lostRaceOrThrow(String what, RuntimeException e) {
        if (e instanceof FencedOutException) {
            throw e;
        }
        if (Failures.classify(e) == Failures.Kind.LOST_RACE) {
            return Optional.empty();
        }
        throw Failures.unexpected(what, e);
    }
}
