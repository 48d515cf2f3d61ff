package io.lockkit.mariadb;

import io.lockkit.BackendUnavailableException;
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
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * {@link VersionedUpdate} on the versioned table: one statement per write (V1–V3), plus a read of
 * the fence when a fenced write did not apply (the fence only grows, so a fence above the token
 * then means the write is fenced out). Every write stores a random write id. When a write's reply is
 * lost (V4), a compare-and-set or delete is sent once more with the same id on a new connection — at
 * most one of the two copies can apply, since both expect the same version and versions never
 * repeat — and if that copy does not apply, the row's last write id tells whether the first did;
 * otherwise {@link OutcomeUnknownException}. A create is not sent again (the state it expects can
 * recur): the row's write id decides, else {@link OutcomeUnknownException}. Thread-safe.
 */
final class MariaDbVersionedUpdate implements VersionedUpdate {
    private static final SecureRandom WRITE_IDS = new SecureRandom();
    private static final long NO_LIMIT = Long.MAX_VALUE;

    private final MariaDbBackend backend;
    private final Prepared readSql;
    private final Prepared lastWriteSql;
    private final Prepared createSql;
    private final Prepared casSql;
    private final Prepared deleteSql;

    /** The row as the last write left it. */
    private record LastWrite(long version, boolean deleted, long writeId, long fence) {}

    /** What a create's statement returns: the key's row afterwards. */
    private record Created(long version, long writeId, long fence) {}

    MariaDbVersionedUpdate(MariaDbBackend backend) {
        this.backend = backend;
        this.readSql = backend.statement(MariaDbSql.READ);
        this.lastWriteSql = backend.statement(MariaDbSql.LAST_WRITE);
        this.createSql = backend.statement(MariaDbSql.CREATE);
        this.casSql = backend.statement(MariaDbSql.CAS);
        this.deleteSql = backend.statement(MariaDbSql.DELETE);
    }

    @Override
    public Optional<Versioned> read(String key) {
        byte[] stored = KeyBytes.bytes(Checks.key(key));
        String what = "read '" + key + "'";
        try {
            return backend.pool().call(what, h -> readSql.on(h)
                    .set("key", stored)
                    .optional(rs -> new Versioned(key, rs.getBytes("value"), rs.getLong("version"))));
        } catch (RuntimeException e) {
            throw MariaDbFailures.translate(what, e);
        }
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value) {
        Checks.key(key);
        Checks.value(value);
        return create(key, value, 0, NO_LIMIT);
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        return create(key, value, fencingToken, fencingToken);
    }

    private Optional<Versioned> create(String key, byte[] value, long fence, long limit) {
        byte[] stored = KeyBytes.bytes(key);
        long writeId = WRITE_IDS.nextLong();
        String what = "create '" + key + "'";
        Created row;
        try {
            row = sendOnce(what, h -> createSql
                    .on(h)
                    .set("key", stored)
                    .set("value", value)
                    .set("fence", fence)
                    .set("limit", limit)
                    .set("write_id", writeId)
                    .one(rs -> new Created(rs.getLong("version"), rs.getLong("write_id"), rs.getLong("fence"))));
        } catch (BackendUnavailableException e) {
            throw e; // no connection could be had: nothing was sent (E2)
        } catch (RuntimeException e) {
            if (!MariaDbFailures.KINDS.isConnection(e)) {
                throw MariaDbFailures.translate(what, e);
            }
            LastWrite last = lastWriteAfterALostReply(what, stored, e);
            if (last != null && last.writeId() == writeId) {
                return Optional.of(new Versioned(key, value, last.version()));
            }
            throw unknown(what, e);
        }
        if (row == null) {
            throw new IllegalStateException(what + ": the statement returned no row");
        }
        if (row.writeId() == writeId) {
            return Optional.of(new Versioned(key, value, row.version()));
        }
        if (limit != NO_LIMIT && row.fence() > limit) {
            throw new FencedOutException(key, limit, row.fence());
        }
        return Optional.empty();
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        return compareAndSet(key, expectedVersion, value, 0, NO_LIMIT);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        return compareAndSet(key, expectedVersion, value, fencingToken, fencingToken);
    }

    private Optional<Versioned> compareAndSet(String key, long expected, byte[] value, long fence, long limit) {
        byte[] stored = KeyBytes.bytes(key);
        boolean applied = write("compareAndSet '" + key + "'", key, stored, expected, limit, (h, id) -> casSql.on(h)
                .set("key", stored)
                .set("value", value)
                .set("expected", expected)
                .set("fence", fence)
                .set("limit", limit)
                .set("write_id", id)
                .update());
        return applied ? Optional.of(new Versioned(key, value, expected + 1)) : Optional.empty();
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        return delete(key, expectedVersion, 0, NO_LIMIT);
    }

    @Override
    public boolean delete(String key, long expectedVersion, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.fencingToken(fencingToken);
        return delete(key, expectedVersion, fencingToken, fencingToken);
    }

    private boolean delete(String key, long expected, long fence, long limit) {
        byte[] stored = KeyBytes.bytes(key);
        return write("delete '" + key + "'", key, stored, expected, limit, (h, id) -> deleteSql
                .on(h)
                .set("key", stored)
                .set("expected", expected)
                .set("fence", fence)
                .set("limit", limit)
                .set("write_id", id)
                .update());
    }

    /** One update statement, given its write id; returns the rows it matched. */
    @FunctionalInterface
    private interface Update {
        int send(Handle h, long writeId);
    }

    /**
     * Sends {@code update}; true when it applied. When it did not, a fenced write reads the fence
     * (V3: checked first). When the reply was lost, see the class comment (V4).
     */
    private boolean write(String what, String key, byte[] stored, long expected, long limit, Update update) {
        long writeId = WRITE_IDS.nextLong();
        int matched;
        try {
            matched = sendOnce(what, h -> update.send(h, writeId));
        } catch (BackendUnavailableException e) {
            throw e; // no connection could be had: nothing was sent (E2)
        } catch (RuntimeException e) {
            if (!MariaDbFailures.KINDS.isConnection(e)) {
                if (MariaDbFailures.classify(e) == MariaDbFailures.Kind.LOST_RACE) {
                    return false; // 1062, or a deadlock that persisted: nothing applied, another write won
                }
                throw MariaDbFailures.translate(what, e);
            }
            matched = resend(what, stored, writeId, update, e);
        }
        if (matched == 1) {
            return true;
        }
        if (limit != NO_LIMIT) {
            LastWrite last = lastWrite(what, stored);
            if (last != null && last.fence() > limit) {
                throw new FencedOutException(key, limit, last.fence());
            }
        }
        return false;
    }

    /**
     * Sends a write on one connection, never on a second one after a broken connection (the caller
     * decides that, V4); {@link BackendUnavailableException} only when no connection could be had; a deadlock or lock-wait timeout (rolled back, nothing applied) is sent again,
     * up to {@link SessionPool#SERIALIZATION_RETRIES} times in all.
     */
    private <T> T sendOnce(String what, SessionPool.Op<T> op) {
        for (int attempt = 1; ; attempt++) {
            Session session = backend.pool().borrow(what);
            try {
                return backend.pool().runOnce(session, op);
            } catch (RuntimeException e) {
                if (attempt == SessionPool.SERIALIZATION_RETRIES || !MariaDbFailures.KINDS.rolledBackForARetry(e)) {
                    throw e;
                }
            }
        }
    }

    /** After a lost reply: the same write once more, then the row's write id (V4). */
    private int resend(String what, byte[] stored, long writeId, Update update, RuntimeException lost) {
        try {
            Session fresh = backend.pool().open(what);
            if (backend.pool().runOnce(fresh, h -> update.send(h, writeId)) == 1) {
                return 1;
            }
        } catch (RuntimeException e) {
            throw unknown(what, lost);
        }
        LastWrite last = lastWriteAfterALostReply(what, stored, lost);
        if (last != null && last.writeId() == writeId) {
            return 1;
        }
        throw unknown(what, lost);
    }

    private @Nullable LastWrite lastWriteAfterALostReply(String what, byte[] stored, RuntimeException lost) {
        try {
            return lastWrite(what, stored);
        } catch (BackendUnavailableException e) {
            throw unknown(what, lost);
        }
    }

    private @Nullable LastWrite lastWrite(String what, byte[] stored) {
        try {
            return backend.pool().call(what, h -> lastWriteSql
                    .on(h)
                    .set("key", stored)
                    .optional(rs -> new LastWrite(
                            rs.getLong("version"),
                            rs.getBoolean("deleted"),
                            rs.getLong("write_id"),
                            rs.getLong("fence")))
                    .orElse(null));
        } catch (RuntimeException e) {
            throw MariaDbFailures.translate(what, e);
        }
    }

    private static OutcomeUnknownException unknown(String what, Throwable cause) {
        return new OutcomeUnknownException(
                what + ": the reply was lost, and whether the write applied is unknown", cause);
    }
}
