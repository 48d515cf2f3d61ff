package io.lockkit.postgresql;

import io.lockkit.LockKitException;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.jdbc.internal.Session;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The advisory-lock variant: {@code pg_try_advisory_lock} on a pinned session whose {@code
 * idle_session_timeout} is the lease, and the token, in one round trip. The lock id is the first 8
 * bytes of SHA-256 of {@code namespace + ":" + key} ({@link KeyCodec#advisoryId}), in the one-bigint
 * form; lockkit's own locks take the two-int form, whose ids no key can take. The server version
 * (14 or later) is checked with the schema ({@link SchemaCheck}). Thread-safe.
 */
final class AdvisoryJobLock extends SessionJobLock {
    /** {@code idle_session_timeout}, which makes the lease a session lease (L4), is new in PostgreSQL 14. */
    static final int MIN_SERVER_VERSION_NUM = 140000;

    private static final Prepared RESET = Prepared.of(Sql.ADVISORY_RESET);
    private static final Prepared EXTEND = Prepared.of(Sql.ADVISORY_EXTEND);
    private static final Prepared RELEASE = Prepared.of(Sql.ADVISORY_RELEASE);

    private final Prepared acquireSql;

    AdvisoryJobLock(PostgresBackend backend) {
        super(backend);
        this.acquireSql = Prepared.of(Sql.render(Sql.ADVISORY_ACQUIRE, backend.tables()));
    }

    @Override
    @Nullable
    Long tryLock(Session session, String key, Duration lease, @Nullable Long deadline) {
        return acquireSql
                .on(session.handle())
                .set("lock_id", lockId(key))
                .set("timeout_ms", millisText(lease))
                .one(rs -> rs.getObject("token", Long.class));
    }

    /**
     * L1, L4: the attempt may have failed after {@code pg_try_advisory_lock} granted the lock; a
     * session going back to the pool must hold no advisory lock and have no idle timeout. A failure
     * here makes the caller discard the session, which ends the lock with it.
     */
    @Override
    void reset(Session session) {
        RESET.on(session.handle()).one(rs -> rs.getString(1));
    }

    /**
     * Fails with a clear message on a server older than PostgreSQL 14 (no {@code
     * idle_session_timeout}: a lease would never expire, L4).
     */
    static void requireAdvisorySupport(int serverVersionNum) {
        if (serverVersionNum < MIN_SERVER_VERSION_NUM) {
            throw new LockKitException(unsupported(serverVersionNum));
        }
    }

    static String unsupported(int serverVersionNum) {
        return "the advisory variant needs PostgreSQL 14 or later (idle_session_timeout ends a silent holder's"
                + " session), but the server's server_version_num is " + serverVersionNum
                + "; use the table or rowlock variant, or upgrade the server";
    }

    @Override
    void extend(Session session, Duration lease) {
        EXTEND.on(session.handle()).set("timeout_ms", millisText(lease)).one(rs -> rs.getString(1));
    }

    @Override
    boolean release(Session session, String key) {
        long lockId = lockId(key);
        return Boolean.TRUE.equals(RELEASE.on(session.handle())
                .set("lock_id", lockId)
                .set("marker_class", KeyCodec.WAIT_MARKER_CLASS)
                .set("marker", KeyCodec.waitMarker(lockId))
                .set("channel", backend.channel())
                .set("payload", KeyBytes.payload(KeyBytes.bytes(key)))
                .one(rs -> rs.getBoolean("released")));
    }

    /** A release notifies only clients that hold the key's wait marker (see {@link Sql#ADVISORY_RELEASE}). */
    @Override
    @Nullable
    Integer waitMarker(String key) {
        return KeyCodec.waitMarker(lockId(key));
    }

    private long lockId(String key) {
        return KeyCodec.advisoryId(backend.namespace(), key);
    }
}
