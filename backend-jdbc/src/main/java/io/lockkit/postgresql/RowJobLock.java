package io.lockkit.postgresql;

import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The row-lock variant: {@code SELECT … FOR UPDATE NOWAIT} on the key's row in a transaction held
 * open for the lease, with {@code idle_in_transaction_session_timeout} = lease; the release is the
 * commit. A key's row is created (and committed) on first use. Thread-safe.
 */
final class RowJobLock extends SessionJobLock {
    private static final Prepared EXTEND = Prepared.of(Sql.ROWLOCK_EXTEND);

    private final Prepared acquireSql;
    private final Prepared createSql;

    RowJobLock(PostgresBackend backend) {
        super(backend);
        this.acquireSql = Prepared.of(Sql.render(Sql.ROWLOCK_ACQUIRE, backend.tables()));
        this.createSql = Prepared.of(Sql.render(Sql.ROWLOCK_CREATE, backend.tables()));
    }

    @Override
    @Nullable
    Long tryLock(Session session, String key, Duration lease) {
        Handle h = session.handle();
        byte[] stored = KeyCodec.bytes(key);
        Optional<Long> token = lockRow(h, stored, lease);
        if (token.isEmpty()) { // no row yet: create it where every session sees it, then try again
            h.rollback();
            createSql.on(h).set("key", stored).update();
            token = lockRow(h, stored, lease);
            if (token.isEmpty()) {
                h.rollback(); // deleted again meanwhile: treat as held, the waiter retries
            }
        }
        return token.orElse(null);
    }

    private Optional<Long> lockRow(Handle h, byte[] stored, Duration lease) {
        h.begin();
        return acquireSql
                .on(h)
                .set("key", stored)
                .set("timeout_ms", millisText(lease))
                .set("channel", backend.channel())
                .set("payload", KeyCodec.payload(stored))
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
        session.handle().commit(); // ends the row lock and delivers the NOTIFY queued at acquire
        return true;
    }
}
