package io.lockkit.mariadb;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import io.lockkit.jdbc.internal.SessionPool;
import io.lockkit.jdbc.internal.SqlErrors;
import io.lockkit.spi.Checks;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The rowlock variant: InnoDB's lock on the key's row of the lock table ({@code SELECT … FOR UPDATE})
 * in a transaction held open for the lease on a pinned session, whose {@code
 * idle_transaction_timeout} (whole seconds, the lease rounded up) makes the server end the session,
 * and the lock with it, when the holder falls silent (L4). The token is drawn under the row lock (L2)
 * and made durable by a flushing commit on a pooled session before it is handed out ({@link
 * MariaDbSql#ROWLOCK_FLUSH}): two round trips per acquire once the session is set up; the release is
 * one ({@code ROLLBACK}: the transaction wrote nothing). A held key fails at once ({@code NOWAIT}, L6);
 * a waiting acquire waits in InnoDB, which grants the row the moment the holder's transaction ends
 * (L7), in slices ({@code max_statement_time}) between which an interrupt is seen (L8). The lease
 * sessions are pinned, watched (L5) and given up by {@link PinnedSessions}.
 *
 * <p>The lease session runs at READ COMMITTED (under REPEATABLE READ a {@code FOR UPDATE} that finds
 * no row would take a gap lock that blocks other keys' rows from being created) and without
 * autocommit; both, and its idle timeout, stay set while it is idle in the pool, so a warm acquire
 * sends nothing to set them up. The pool switches a connection back to autocommit before lending it
 * for a statement; the other two change nothing for the single-statement transactions of the rest of
 * this backend (their writes lock and check the latest committed rows at either level, and the idle
 * timeout only ends a transaction left open between statements). Thread-safe.
 */
final class RowLockJobLock implements JobLock, PinnedSessions.Locking {
    /** The first byte of a key's lock row (never a byte of UTF-8: no key of the lock table variant). */
    private static final byte ROW = (byte) 0xFE;
    /** The first byte of a key's grant row, written to flush the token ({@link MariaDbSql#ROWLOCK_FLUSH}). */
    private static final byte GRANT = (byte) 0xFD;
    /** What {@link #lockRow} answers when the key has no row yet (tokens start at 1). */
    private static final long NO_ROW = 0;
    /** MariaDB's ER_STATEMENT_TIMEOUT: a waiting slice ran out. */
    static final int STATEMENT_TIMEOUT = 1969;

    /**
     * What ends a stalled holder's session: {@code idle_transaction_timeout}, and its read-only and
     * write forms too, since the server gives them precedence when set (a DBA's global {@code
     * idle_readonly_transaction_timeout} would otherwise end the lease's transaction, which only read
     * with {@code FOR UPDATE}, at its own time, not the lease's: L1, L4).
     */
    static final List<String> IDLE_TIMEOUTS =
            List.of("idle_transaction_timeout", "idle_readonly_transaction_timeout", "idle_write_transaction_timeout");
    /** The shortest wait in InnoDB for a key's row just created: another's duplicate check holds it for a moment. */
    static final long FIRST_USE_WAIT_MILLIS = 50;

    private static final Prepared ROLLBACK = Prepared.of("ROLLBACK");
    private static final Prepared IN_TRANSACTION = Prepared.of(MariaDbSql.ROWLOCK_HELD);

    private final MariaDbBackend backend;
    private final PinnedSessions sessions;
    private final Prepared tryLockSql;
    private final Prepared createSql;
    private final Prepared flushSql;
    /** The connections this client has set to READ COMMITTED (a connection keeps it while pooled). */
    private final Set<Handle> readCommitted =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    RowLockJobLock(MariaDbBackend backend) {
        this.backend = backend;
        this.sessions = new PinnedSessions(
                backend,
                this,
                IDLE_TIMEOUTS,
                List.of("ROLLBACK"),
                List.of(
                        "SET SESSION "
                                + String.join(
                                        ", ",
                                        IDLE_TIMEOUTS.stream()
                                                .map(v -> v + " = DEFAULT")
                                                .toList()),
                        "SET autocommit = 1"));
        this.tryLockSql = backend.statement(MariaDbSql.ROWLOCK_TRY);
        this.createSql = backend.statement(MariaDbSql.ROWLOCK_CREATE);
        this.flushSql = backend.statement(MariaDbSql.ROWLOCK_FLUSH);
    }

    @Override
    public LeaseLimits leaseLimits() {
        return sessions.limits();
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration lease) {
        check(key, lease);
        return Optional.ofNullable(
                sessions.attempt("acquire '" + key + "'", session -> attemptOn(session, key, lease, 0, null)));
    }

    @Override
    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        check(key, lease);
        Checks.maxWait(maxWait);
        if (maxWait.isZero()) {
            return tryAcquire(key, lease);
        }
        return sessions.acquire(
                "acquire '" + key + "'",
                maxWait,
                (session, waitMillis, deadline) -> attemptOn(session, key, lease, waitMillis, deadline));
    }

    /**
     * One grant attempt on a lease session, waiting up to {@code waitMillis} in InnoDB; null when not
     * granted (L6). Pins {@code session} to the granted lease, or gives it back; a failure closes it
     * (which frees a row it may hold). With a {@code deadline} (a waiting acquire), its waits for
     * another connection of the client (the first use's row, the flush) react to interrupts and end
     * there, not granted; without (a try), they wait as any statement does.
     */
    private @Nullable Lease attemptOn(
            Session session, String key, Duration lease, long waitMillis, @Nullable Long deadline)
            throws InterruptedException {
        Handle h = session.handle();
        byte[] row = row(ROW, key);
        long sent;
        Long token;
        try {
            setUp(session, lease);
            sent = backend.ticker().nanos();
            token = lockRow(h, row, waitMillis);
            if (token != null && token == NO_ROW) { // the key's first use: create its row, then once more
                ROLLBACK.on(h).update();
                if (!create(key, row, deadline)) {
                    backend.pool().giveBack(session); // no connection came within the acquire's wait
                    return null;
                }
                sent = backend.ticker().nanos();
                // Not NOWAIT: another attempt's INSERT IGNORE of the same row holds a shared lock on it
                // for its duplicate check, which would make every racing first attempt come back "held".
                token = lockRow(h, row, Math.max(waitMillis, FIRST_USE_WAIT_MILLIS));
                token = token != null && token == NO_ROW ? null : token; // (rows are never deleted)
            }
            if (token == null) {
                ROLLBACK.on(h).update();
                backend.pool().giveBack(session);
                return null;
            }
        } catch (InterruptedException e) { // waiting for the row's creation: the session holds nothing
            backend.pool().giveBack(session);
            throw e;
        } catch (RuntimeException e) {
            // The statement may have taken the row before it failed (or its reply was lost): ending the
            // session is the one way to be sure it holds nothing (E2).
            sessions.discard(session, MariaDbFailures.classify(e) == MariaDbFailures.Kind.CONNECTION);
            throw e;
        }
        long granted = token;
        String what = "make the token of '" + key + "' durable";
        try {
            Session flusher = backend.pool().borrowBy(what, deadline);
            if (flusher == null) { // no connection came within the acquire's wait: not granted
                ROLLBACK.on(h).update();
                backend.pool().giveBack(session);
                return null;
            }
            // L2: the token was drawn under the row lock, so it is below every later holder's of the
            // key even if this session dies now; it is handed out only once it is durable.
            // Sent once: a resend on a fresh connection could reach a restarted server (see callWithoutResend).
            backend.pool().callWithoutResend(what, flusher, fh -> flushSql.on(fh)
                    .set("grant", row(GRANT, key))
                    .set("token", granted)
                    .set("conn", Integer.toUnsignedLong(session.pid()))
                    .update());
        } catch (InterruptedException | RuntimeException e) {
            sessions.discard(session, false); // its ROLLBACK frees the row: the lease is never handed out
            throw e;
        }
        return sessions.pin(session, key, key, granted, sent, lease);
    }

    /**
     * READ COMMITTED, the idle timeout and no autocommit, each only when the connection does not have
     * it already (the driver tracks the first and the last; {@link PinnedSessions#timeout} the second).
     */
    private void setUp(Session session, Duration lease) {
        Connection c = session.handle().getConnection();
        try {
            // Recorded here, not asked of the driver: MySQL Connector/J asks the server every time.
            if (!readCommitted.contains(session.handle())) {
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                readCommitted.add(session.handle());
            }
            sessions.timeout(session, PinnedSessions.seconds(lease));
            if (c.getAutoCommit()) {
                c.setAutoCommit(false);
            }
        } catch (SQLException e) {
            throw new ConnectionException(e);
        }
    }

    /**
     * The token when this session locked {@code row}; null when another holds it (L6: 1205 at once,
     * or 1969 when a waiting slice ran out); {@link #NO_ROW} when there is no such row.
     */
    private @Nullable Long lockRow(Handle h, byte[] row, long waitMillis) {
        Prepared sql = waitMillis <= 0
                ? tryLockSql
                : backend.statement(MariaDbSql.ROWLOCK_WAIT
                        .replace("{lock_wait}", Long.toString(waitMillis / 1000 + 2))
                        .replace(
                                "{seconds}",
                                String.format(Locale.ROOT, "%d.%03d", waitMillis / 1000, waitMillis % 1000)));
        try {
            return sql.on(h).set("row", row).optional(rs -> rs.getLong("token")).orElse(NO_ROW);
        } catch (RuntimeException e) {
            if (notGranted(e)) {
                return null;
            }
            throw e;
        }
    }

    /** 1205 (NOWAIT, or innodb_lock_wait_timeout), 1213 and 1969 (a slice ran out), only for the lock statement. */
    private static boolean notGranted(RuntimeException e) {
        return MariaDbFailures.classify(e) == MariaDbFailures.Kind.LOST_RACE
                || SqlErrors.vendorCode(e) == STATEMENT_TIMEOUT;
    }

    /**
     * Creates the key's row on a pooled connection, unless another client has it created (and
     * perhaps locked) already: then the insert fails at once (1205), and is not sent again, so that
     * its duplicate check's short shared lock does not make the other's lock attempt fail. False
     * when no connection came free by {@code deadline} (see {@link #attemptOn}).
     */
    private boolean create(String key, byte[] row, @Nullable Long deadline) throws InterruptedException {
        String what = "create the lock row of '" + key + "'";
        SessionPool.Op<Integer> op = h -> {
            try {
                return createSql.on(h).set("row", row).update();
            } catch (RuntimeException e) {
                if (MariaDbFailures.classify(e) == MariaDbFailures.Kind.LOST_RACE) {
                    return 0;
                }
                throw e;
            }
        };
        return backend.pool().callBy(what, deadline, op) != null;
    }

    /** Extend: the new idle timeout when it changes, then whether the lease's transaction is still open. */
    @Override
    public boolean extend(Session session, String name, Duration lease) {
        sessions.timeout(session, PinnedSessions.seconds(lease));
        Boolean open = IN_TRANSACTION.on(session.handle()).one(rs -> rs.getBoolean("in_transaction"));
        return Boolean.TRUE.equals(open);
    }

    /**
     * Release: the transaction ends, and the row lock with it. Only the server's ending the session
     * ends the transaction otherwise (then this fails), so a session that answers held the row.
     */
    @Override
    public boolean release(Session session, String name) {
        ROLLBACK.on(session.handle()).update();
        return true;
    }

    /**
     * A row's key: {@code prefix} and the key's bytes; a key of 256 bytes (one more than fits beside
     * the prefix in {@code VARBINARY(256)}) as {@code 0xFF} and the SHA-256 of its bytes instead. No
     * UTF-8 key contains {@code 0xFF}, so the two forms never meet; two keys sharing a row would only
     * exclude each other (a false "held"), never let two hold one key.
     */
    static byte[] row(byte prefix, String key) {
        byte[] bytes = KeyBytes.bytes(key);
        if (bytes.length >= 256) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
                bytes = new byte[digest.length + 1];
                bytes[0] = (byte) 0xFF;
                System.arraycopy(digest, 0, bytes, 1, digest.length);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        byte[] row = new byte[bytes.length + 1];
        row[0] = prefix;
        System.arraycopy(bytes, 0, row, 1, bytes.length);
        return row;
    }

    /** The lease sessions' machinery (the client closes it). */
    PinnedSessions sessions() {
        return sessions;
    }

    /** E1, before anything is sent: the key, and the lease against {@link #leaseLimits()}. */
    private void check(String key, Duration lease) {
        Checks.key(key);
        sessions.limits().check(lease);
    }
}
