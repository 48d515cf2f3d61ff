package io.lockkit.postgresql;

import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The row-lock variant: {@code SELECT … FOR UPDATE NOWAIT} on the key's row in a transaction held
 * open for the lease, with {@code idle_in_transaction_session_timeout} = lease; the release is the
 * commit. The token is drawn under the row lock, in that transaction, and made durable by a flushed
 * commit on a pooled session ({@link Sql#FLUSH}) before it is handed out: two round trips per
 * acquire. A key's row is created (and committed) on first use. Thread-safe.
 */
final class RowJobLock extends SessionJobLock {
    private static final Prepared EXTEND = Prepared.of(Sql.ROWLOCK_EXTEND);

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
    Long tryLock(Session session, String key, Duration lease) {
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
        backend.pool() // sent once: a resend on a fresh connection could reach a restarted server (L2)
                .callWithoutResend("flush the token of '" + key + "'", fh -> flushSql.on(fh)
                        .one(rs -> rs.getString("durable")));
        return token.get();
    }

    private Optional<Long> lockRow(Handle h, byte[] stored, Duration lease) {
        h.begin();
        return acquireSql
                .on(h)
                .set("key", stored)
                .set("timeout_ms", millisText(lease))
                .set("channel", backend.channel())
                .set("payload", KeyBytes.payload(stored))
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
        session.handle().commit(); // ends the row lock, delivers the NOTIFY queued at acquire; no flush
        return true;
    }
}
