package io.lockkit.postgresql;

import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import io.lockkit.jdbc.internal.SqlErrors;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The row-lock variant: {@code SELECT … FOR UPDATE NOWAIT} on the key's row in a transaction held
 * open for the lease, with {@code idle_in_transaction_session_timeout} = lease; the release is the
 * commit, sent with the check of the key's wait marker that decides whether it notifies. The token is drawn under the row lock, in that transaction, and made durable by a flushed
 * commit on a pooled session ({@link Sql#FLUSH}) before it is handed out: two round trips per
 * acquire. A key's row is created (and committed) on first use. Thread-safe.
 */
final class RowJobLock extends SessionJobLock {
    private static final Prepared EXTEND = Prepared.of(Sql.ROWLOCK_EXTEND);
    private static final Prepared RELEASE = Prepared.of(Sql.ROWLOCK_RELEASE);
    private static final Prepared WAKE = Prepared.of(Sql.ROWLOCK_WAKE);

    private final Prepared acquireSql;
    private final Prepared createSql;
    private final Prepared flushSql;

    RowJobLock(PostgresBackend backend) {
        super(backend);
        this.acquireSql = Prepared.of(Sql.render(Sql.ROWLOCK_ACQUIRE, backend.tables()));
        this.createSql = Prepared.of(Sql.render(Sql.ROWLOCK_CREATE, backend.tables()));
        this.flushSql = Prepared.of(Sql.render(Sql.FLUSH, backend.tables()));
    }

    @Override
    @Nullable
    Long tryLock(Session session, String key, Duration lease, @Nullable Long deadline) throws InterruptedException {
        Handle h = session.handle();
        byte[] stored = KeyBytes.bytes(key);
        Optional<Long> token = lockRow(h, stored, lease);
        if (token.isEmpty()) { // no row yet: create it where every session sees it, then try again
            h.rollback();
            createSql.on(h).set("key", stored).update();
            token = lockRow(h, stored, lease);
            if (token.isEmpty()) {
                h.rollback(); // deleted again meanwhile: treat as held, the waiter retries
                return null;
            }
        }
        // L2: the token was drawn under the row lock, so it is below every later holder's of the key
        // even if this session dies before the flush. A failure here reaches the caller, which rolls
        // this session back (or discards it): no lock stays.
        String what = "flush the token of '" + key + "'";
        Session flusher = backend.pool().borrowBy(what, deadline);
        if (flusher == null) { // the acquire's wait ran out while every connection of the client was in use
            h.rollback();
            return null;
        }
        backend.pool() // sent once: a resend on a fresh connection could reach a restarted server (L2)
                .callWithoutResend(what, flusher, fh -> flushSql.on(fh).one(rs -> rs.getString("durable")));
        return token.get();
    }

    private Optional<Long> lockRow(Handle h, byte[] stored, Duration lease) {
        h.begin();
        return acquireSql
                .on(h)
                .set("key", stored)
                .set("timeout_ms", millisText(lease))
                .optional(rs -> rs.getLong("token"));
    }

    @Override
    void reset(Session session) {
        session.handle().rollback();
    }

    @Override
    void extend(Session session, Duration lease) {
        EXTEND.on(session.handle()).set("timeout_ms", millisText(lease)).one(rs -> rs.getString(1));
    }

    @Override
    boolean release(Session session, String key) {
        Handle h = session.handle();
        byte[] stored = KeyBytes.bytes(key);
        try {
            RELEASE.on(h) // notifies when somebody waits, and commits: ends the row lock; no flush
                    .set("marker_class", KeyCodec.WAIT_MARKER_CLASS)
                    .set("marker", marker(stored))
                    .set("channel", backend.channel())
                    .set("payload", KeyBytes.payload(stored))
                    .one(rs -> rs.getLong("notified"));
        } catch (RuntimeException e) {
            if (Failures.isConnection(e)) {
                throw e;
            }
            // The transaction failed (before, 25P02, or in the marker's check, say out of shared
            // memory or a cancel): its row lock ended with the failure, and no NOTIFY went out.
            h.rollback();
            wake(key, stored);
            return !"25P02".equals(SqlErrors.sqlState(e)); // 25P02: it had ended before this release
        }
        h.commit(); // the transaction has ended: pgjdbc sends nothing, the handle leaves its transaction
        return true;
    }

    /** Best effort, after a release that could not check the marker: wakes every waiter of the key (L7). */
    private void wake(String key, byte[] stored) {
        try {
            backend.pool().call("wake the waiters of '" + key + "'", fh -> WAKE.on(fh)
                    .set("channel", backend.channel())
                    .set("payload", KeyBytes.payload(stored))
                    .one(rs -> rs.getString("woken")));
        } catch (RuntimeException e) {
            // the waiters' fallback poll finds the key free
        }
    }

    /** A statement in the lease's transaction failed, which ends its row lock: the lease is lost with it. */
    @Override
    boolean failureEndsLease() {
        return true;
    }

    /** A release notifies only clients that hold the key's wait marker (see {@link Sql#ROWLOCK_RELEASE}). */
    @Override
    Integer waitMarker(String key) {
        return marker(KeyBytes.bytes(key));
    }

    /** The key's wait marker: of the key alone, the same as the lock table's for the same key. */
    private static int marker(byte[] key) {
        return KeyCodec.waitMarker(KeyCodec.markerId(key));
    }
}
