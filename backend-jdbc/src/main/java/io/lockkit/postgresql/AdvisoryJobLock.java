package io.lockkit.postgresql;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The advisory-lock variant: {@code pg_try_advisory_lock} on a pinned session whose {@code
 * idle_session_timeout} is the lease, and the token, in one round trip. The lock id is the first 8
 * bytes of SHA-256 of {@code namespace + ":" + key} ({@link KeyCodec#advisoryId}). Thread-safe.
 */
final class AdvisoryJobLock extends SessionJobLock {
    private final String acquireSql;

    AdvisoryJobLock(PostgresBackend backend) {
        super(backend);
        this.acquireSql = Sql.render(Sql.ADVISORY_ACQUIRE, backend.tables());
    }

    @Override
    @Nullable
    Long tryLock(Session session, String key, Duration lease) {
        return session.handle()
                .createQuery(acquireSql)
                .bind("lock_id", lockId(key))
                .bind("timeout_ms", millisText(lease))
                .map((rs, ctx) -> rs.getObject("token", Long.class))
                .one();
    }

    @Override
    void reset(Session session) {
        // autocommit, and nothing was granted: nothing to undo
    }

    @Override
    void extend(Session session, Duration lease) {
        session.handle()
                .createQuery(Sql.ADVISORY_EXTEND)
                .bind("timeout_ms", millisText(lease))
                .mapTo(String.class)
                .one();
    }

    @Override
    boolean release(Session session, String key) {
        return session.handle()
                .createQuery(Sql.ADVISORY_RELEASE)
                .bind("lock_id", lockId(key))
                .bind("channel", backend.channel())
                .bind("payload", KeyCodec.payload(KeyCodec.bytes(key)))
                .map((rs, ctx) -> rs.getBoolean("released"))
                .one();
    }

    private long lockId(String key) {
        return KeyCodec.advisoryId(backend.namespace(), key);
    }
}
