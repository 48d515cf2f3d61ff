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
    private final String acquireSql;
    private final String createSql;

    RowJobLock(PostgresBackend backend) {
        super(backend);
        this.acquireSql = Sql.render(Sql.ROWLOCK_ACQUIRE, backend.tables());
        this.createSql = Sql.render(Sql.ROWLOCK_CREATE, backend.tables());
    }

    @Override
    @Nullable
    Long tryLock(Session session, String key, Duration lease) {
        Handle h = session.handle();
        byte[] stored = KeyCodec.bytes(key);
        Optional<Long> token = lockRow(h, stored, lease);
        if (token.isEmpty()) { // no row yet: create it where every session sees it, then try again
            h.rollback();
            h.createUpdate(createSql).bind("key", stored).execute();
            token = lockRow(h, stored, lease);
            if (token.isEmpty()) {
                h.rollback(); // deleted again meanwhile: treat as held, the waiter retries
            }
        }
        return token.orElse(null);
    }

    private Optional<Long> lockRow(Handle h, byte[] stored, Duration lease) {
        h.begin();
        return h.createQuery(acquireSql)
                .bind("key", stored)
                .bind("timeout_ms", millisText(lease))
                .bind("channel", backend.channel())
                .bind("payload", KeyCodec.payload(stored))
                .map((rs, ctx) -> rs.getLong("token"))
                .findOne();
    }

    @Override
    void reset(Session session) {
        session.handle().rollback();
    }

    @Override
    void extend(Session session, Duration lease) {
        session.handle()
                .createQuery(Sql.ROWLOCK_EXTEND)
                .bind("timeout_ms", millisText(lease))
                .mapTo(String.class)
                .one();
    }

    @Override
    boolean release(Session session, String key) {
        session.handle().commit(); // ends the row lock and delivers the NOTIFY queued at acquire
        return true;
    }
}
