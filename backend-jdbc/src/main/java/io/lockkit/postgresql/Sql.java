package io.lockkit.postgresql;

import io.lockkit.jdbc.internal.SessionPool;

/**
 * Every statement lockkit sends, one constant each. {@code {lock}}, {@code {rowlock}}, {@code
 * {versioned}} and {@code {token}} stand for the configured {@link TableNames}; {@link #render}
 * replaces them with the quoted, validated names. Each statement is one round trip.
 *
 * <p>Durability. A token is handed out only once it is durable: the sequence logs 32 values ahead
 * in one WAL record, and a value is safe from a crash only once that record is flushed, which a
 * commit waits for only when its transaction wrote WAL itself (a {@code nextval} covered by
 * another session's record writes none, and that session may not have flushed it yet). So every
 * statement that draws a token either writes (the lock table's upsert) or writes the smallest WAL
 * record there is, a transactional {@code pg_logical_emit_message} (prefix {@code lockkit}, empty;
 * a logical decoding client that reads messages gets one per acquire), so that its commit waits for
 * the flush, which carries the sequence record with it (the row lock's token, drawn in the
 * transaction it holds open, is flushed by such a commit on a pooled session, {@link #FLUSH}). The
 * statements that draw a token or extend a lease also raise {@code synchronous_commit} from {@code
 * off} to {@code on} for their own transaction ({@link #DURABLE_COMMIT}), and every session lockkit
 * opens raises it for the session ({@link #SESSION_START}), which covers the versioned writes while
 * nobody resets the session. The cost: a transaction id and a flush per grant.
 *
 * <p>A release does not wait for the WAL flush: its transaction sets {@code synchronous_commit}
 * to {@code off} for itself only ({@code set_config(…, true)}: in force until that transaction
 * commits, then reverted; the row lock's is set at acquire, in the transaction its release
 * commits). A release lost in a crash of the server leaves the key held until its lease ends (at
 * the last acquire or extend, which were flushed) or its session ends: a delay, never two holders.
 * WAL is written in order, so the next flushed commit on the server (anyone's acquire, extend,
 * versioned write, …, or the WAL writer within a few hundred milliseconds) makes the release
 * durable too. No release draws a token.
 */
final class Sql {
    private Sql() {}

    /**
     * Raises {@code synchronous_commit} from {@code off} to {@code on} for the statement's own
     * transaction (any other value already makes a commit wait for the local flush, and is kept), in
     * every statement that draws a token or extends a lease: a setting of the session or of the
     * server, or a pool that resets sessions, cannot take the wait for the flush away.
     */
    static final String DURABLE_COMMIT = "set_config('synchronous_commit', CASE current_setting('synchronous_commit')"
            + " WHEN 'off' THEN 'on' ELSE current_setting('synchronous_commit') END, true)";

    // ---- lock table (timed leases) ----

    /**
     * L1, L2, L4: one statement grants the key if it is free or its holder's time is up on the
     * database clock. No sweep: only this key's row is looked at.
     *
     * <ul>
     *   <li>{@code held}: when the statement's snapshot already shows another live holder, nothing
     *       is written (no row lock, no WAL, no burnt token), so losers of a race stay cheap; its
     *       {@code held_for} (seconds) tells a waiter when to try again (L7).
     *   <li>{@code granted}: otherwise the upsert decides under the row lock; the token is drawn
     *       there (DO UPDATE), so tokens of one key rise in grant order.
     *   <li>{@code :owner} is the attempt's random id: sent again after a lost reply, the attempt
     *       finds its own grant and takes it over.
     * </ul>
     */
    static final String TABLE_ACQUIRE =
            """
            WITH held AS (
                SELECT extract(epoch FROM expires_at - clock_timestamp()) AS held_for FROM {lock}
                WHERE key = :key AND expires_at > clock_timestamp() AND owner <> :owner),
            granted AS (
                INSERT INTO {lock} AS l (key, token, owner, expires_at)
                SELECT :key, nextval('{token}'), :owner, clock_timestamp() + :micros * interval '1 microsecond'
                WHERE NOT EXISTS (SELECT 1 FROM held)
                ON CONFLICT (key) DO UPDATE
                    SET token = nextval('{token}'),
                        owner = excluded.owner,
                        expires_at = clock_timestamp() + :micros * interval '1 microsecond'
                    WHERE l.expires_at <= clock_timestamp() OR l.owner = excluded.owner
                RETURNING token)
            SELECT (SELECT token FROM granted) AS token, (SELECT held_for FROM held) AS held_for,
                   {durable} AS durable
            """;

    /** L3: extends only the lease with this token, and only while it has not expired. */
    static final String TABLE_EXTEND =
            """
            WITH extended AS (
                UPDATE {lock} SET expires_at = clock_timestamp() + :micros * interval '1 microsecond'
                WHERE key = :key AND token = :token AND expires_at > clock_timestamp() RETURNING key)
            SELECT count(*) AS extended, {durable} AS durable FROM extended
            """;

    /**
     * L3, L7: frees only the lease with this token, and wakes waiters only when there are any, as
     * {@link #ADVISORY_RELEASE} does: every client with a thread waiting for the key holds the key's
     * wait marker shared on its listening session, taken before that thread's last try, and a release
     * that can take the marker exclusively has nobody to wake. The marker is held until this
     * statement's transaction ends, which is after its update is visible (PostgreSQL ends a
     * transaction's locks after it publishes its commit), so a waiter that marks the key later sees
     * this release at its next try, and one that marked it earlier is notified. The row stays
     * (expired), so a later grant of the key goes through the row lock and draws its token there.
     * Committed without waiting for the WAL flush (see the class comment).
     */
    static final String TABLE_RELEASE =
            """
            WITH released AS (
                UPDATE {lock} SET expires_at = clock_timestamp() WHERE key = :key AND token = :token RETURNING key)
            SELECT count(*) AS released,
                   count(CASE WHEN NOT pg_try_advisory_xact_lock(:marker_class, :marker)
                              THEN pg_notify(:channel, :payload) END) AS notified,
                   set_config('synchronous_commit', 'off', true) AS no_flush
            FROM released
            """;

    /**
     * After an acquire whose reply was lost, best effort (L1, E2): ends the grant the attempt may have
     * left ({@code :owner} is its random id, so only that grant matches) and wakes waiters (L7), so
     * the key is not blocked for the whole lease by a lease nobody was told it holds.
     */
    static final String TABLE_ABANDON =
            """
            WITH abandoned AS (
                UPDATE {lock} SET expires_at = clock_timestamp()
                WHERE key = :key AND owner = :owner AND expires_at > clock_timestamp() RETURNING key)
            SELECT count(pg_notify(:channel, :payload)) AS abandoned FROM abandoned
            """;

    /** Optional clean-up, never on the acquire path: deletes at most {@code :limit} long-expired rows. */
    static final String TABLE_DELETE_EXPIRED =
            """
            DELETE FROM {lock} WHERE key IN (
                SELECT key FROM {lock} WHERE expires_at < clock_timestamp() - :micros * interval '1 microsecond'
                LIMIT :limit FOR UPDATE SKIP LOCKED)
            """;

    // ---- advisory locks (session leases) ----

    /**
     * L1, L2, L4: try the lock; only when granted draw the token, make it durable (see the class
     * comment: the commit of this statement waits for the flush) and let the server end this
     * session (and the lock) after {@code :timeout_ms} of silence. One round trip.
     */
    static final String ADVISORY_ACQUIRE =
            """
            WITH attempt AS MATERIALIZED (SELECT pg_try_advisory_lock(:lock_id) AS granted)
            SELECT CASE WHEN granted THEN nextval('{token}') END AS token,
                   CASE WHEN granted THEN pg_logical_emit_message(true, 'lockkit', '') END AS logged,
                   CASE WHEN granted THEN {durable} END AS durable,
                   CASE WHEN granted THEN set_config('idle_session_timeout', :timeout_ms, false) END AS timeout
            FROM attempt
            """;

    /** Talking resets the idle timer; the new timeout applies from now. */
    static final String ADVISORY_EXTEND = "SELECT set_config('idle_session_timeout', :timeout_ms, false)";

    /**
     * Unlocks, clears the idle timeout before the connection goes back to the pool, and wakes waiters
     * only when there are any (L7): every client with a thread waiting for the key holds the key's
     * wait marker shared ({@link KeyCodec#WAIT_MARKER_CLASS}) on its listening session, taken before
     * that thread's last try, so a release that can take the marker exclusively, after its unlock,
     * has nobody to wake. Then it takes no transaction id and writes no WAL at all: about a read's
     * round trip. A NOTIFY is committed without waiting for the WAL flush (see the class comment).
     */
    static final String ADVISORY_RELEASE =
            """
            WITH unlocked AS MATERIALIZED (SELECT pg_advisory_unlock(:lock_id) AS released),
            waiting AS MATERIALIZED (
                SELECT NOT pg_try_advisory_xact_lock(:marker_class, :marker) AS waiting FROM unlocked)
            SELECT released,
                   set_config('idle_session_timeout', '0', false) AS timeout,
                   CASE WHEN waiting THEN pg_notify(:channel, :payload) END AS notified,
                   set_config('synchronous_commit', 'off', true) AS no_flush
            FROM unlocked, waiting
            """;

    /**
     * A waiting client's hold on a key's wait marker, on its listening session (see {@link
     * #ADVISORY_RELEASE}): a try, since a release holds the marker exclusively for the length of its
     * statement, and the listener must never block behind one.
     */
    static final String MARK_WAITING = "SELECT pg_try_advisory_lock_shared(:marker_class, :marker) AS marked";

    /** The end of that hold, once no thread of the client waits for the key. */
    static final String UNMARK_WAITING = "SELECT pg_advisory_unlock_shared(:marker_class, :marker) AS unmarked";

    /**
     * Before the listening session is closed: it lets go of every wait marker, so that a
     * connection a pool of the application takes back holds none (nothing else on that session
     * takes advisory locks).
     */
    static final String UNMARK_ALL = "SELECT pg_advisory_unlock_all()::text AS unmarked";

    /**
     * Wakes this client's listening session on its own channel (an empty payload) so that it takes
     * the wait markers its waiters asked for now rather than at its next pass; not flushed. Other
     * clients do not listen on that channel.
     */
    static final String WAKE_LISTENER =
            "SELECT pg_notify(:channel, '')::text AS woken, set_config('synchronous_commit', 'off', true) AS no_flush";

    /**
     * Puts a session whose acquire failed back in its idle state (L1, L4): the failure may have come
     * after {@code pg_try_advisory_lock} granted the lock (a privilege or sequence error on {@code
     * nextval}), and a pooled session must hold no lock and have no idle timeout.
     */
    static final String ADVISORY_RESET =
            "SELECT pg_advisory_unlock_all(), set_config('idle_session_timeout', '0', false) AS timeout";

    // ---- row locks (session leases) ----

    /**
     * L1, L2, L4, in a transaction left open: lock the key's row without waiting (55P03 when held),
     * draw the token (under the row lock, so a later holder of the key always draws a larger one),
     * let the server end the session after {@code :timeout_ms} idle in this transaction, and let its
     * commit, the release ({@link #ROWLOCK_RELEASE}), skip the WAL flush (see the class comment). A
     * value drawn in a transaction that stays open is not durable until that transaction commits:
     * {@link #FLUSH} makes it durable before the token is handed out. No row: the key's row must be
     * created first ({@link #ROWLOCK_CREATE}).
     */
    static final String ROWLOCK_ACQUIRE =
            """
            WITH locked AS MATERIALIZED (SELECT key FROM {rowlock} WHERE key = :key FOR UPDATE NOWAIT)
            SELECT nextval('{token}') AS token,
                   set_config('idle_in_transaction_session_timeout', :timeout_ms, true) AS timeout,
                   set_config('synchronous_commit', 'off', true) AS no_flush
            FROM locked
            """;

    /**
     * L3, L7: the release, in the lease's transaction, and the commit that ends it (and the row
     * lock), sent together: one round trip. It wakes waiters only when there are any, as {@link
     * #ADVISORY_RELEASE} does: every client with a thread waiting for the key holds the key's wait
     * marker shared on its listening session, taken before that thread's last try, so a release that
     * can take the marker exclusively has nobody to wake. The marker is held until the commit, and
     * PostgreSQL ends a transaction's locks (the marker) after it publishes its commit (the row is
     * free), so a waiter that marks the key later finds the row free at its next try, and one that
     * marked it earlier is notified by the commit. Committed without waiting for the WAL flush (set
     * at acquire).
     */
    static final String ROWLOCK_RELEASE =
            """
            SELECT count(CASE WHEN NOT pg_try_advisory_xact_lock(:marker_class, :marker)
                              THEN pg_notify(:channel, :payload) END) AS notified;
            COMMIT
            """;

    /**
     * L2: on a pooled session, after {@link #ROWLOCK_ACQUIRE} drew a token in the transaction it
     * holds open, a transaction that writes the smallest log record there is and commits, waiting for
     * the flush: WAL is written in order, so the flush carries the sequence's record too (see the class
     * comment). One round trip.
     */
    static final String FLUSH = "SELECT pg_logical_emit_message(true, 'lockkit', '') AS logged, {durable} AS durable";

    /**
     * L7, after a release whose transaction failed before it could check the key's marker (its row
     * lock ended with the failure): wakes every waiter of the key, on a pooled session; not flushed.
     */
    static final String ROWLOCK_WAKE = "SELECT pg_notify(:channel, :payload)::text AS woken,"
            + " set_config('synchronous_commit', 'off', true) AS no_flush";

    /** Committed on its own connection before the lock is tried, so other sessions see the row. */
    static final String ROWLOCK_CREATE = "INSERT INTO {rowlock} (key) VALUES (:key) ON CONFLICT (key) DO NOTHING";

    static final String ROWLOCK_EXTEND = "SELECT set_config('idle_in_transaction_session_timeout', :timeout_ms, true)";

    // ---- session liveness ----

    /**
     * When this connection's server session started, in microseconds since the epoch, and its pid
     * as the server knows it: with the pid the start names the session, since the server reuses pids
     * of ended sessions. Also raises the session's {@code synchronous_commit} from {@code off} to
     * {@code on} (see the class comment); any other value (on, local, remote_write, remote_apply)
     * already makes a commit wait for at least the local flush, and is kept.
     *
     * <p>Also returns the session's default isolation ({@code isolation}): {@link SessionPool} pins
     * lockkit's sessions to READ COMMITTED when it is another. Every statement lockkit sends locks
     * the one row it decides on and, under READ COMMITTED, re-reads that row once the lock is its own;
     * a role or URL that defaults to REPEATABLE READ or SERIALIZABLE would instead roll such a
     * statement back with 40001 when the row changed meanwhile, and SERIALIZABLE also when nobody
     * changed it (predicate locks on index pages shared with other keys), so that of two
     * compare-and-sets on one version neither might win (V1, INCIDENTS.md row 14). lockkit's own
     * transactions gain nothing from those levels.
     */
    static final String SESSION_START = "SELECT (extract(epoch FROM backend_start) * 1000000)::bigint AS started, pid,"
            + " current_setting('default_transaction_isolation') AS isolation,"
            + " CASE WHEN current_setting('synchronous_commit') = 'off'"
            + " THEN set_config('synchronous_commit', 'on', false) END AS durable"
            + " FROM pg_stat_activity WHERE pid = pg_backend_pid()";

    /**
     * The sessions among these pids that still exist, with their start (as {@link #SESSION_START});
     * a lease whose (pid, start) is missing has lost its session (L5).
     */
    static final String LIVE_SESSIONS =
            """
            SELECT pid, (extract(epoch FROM backend_start) * 1000000)::bigint AS started
            FROM pg_stat_activity WHERE pid = ANY(:pids)
            """;

    /**
     * The state of one session, named by pid and start ({@link #SESSION_START}); no row once it has
     * ended. After a lost reply: whether what was sent on it may still be running.
     */
    static final String SESSION_STATE =
            """
            SELECT state FROM pg_stat_activity
            WHERE pid = :pid AND (extract(epoch FROM backend_start) * 1000000)::bigint = :started
            """;

    /**
     * Ends one session, named by pid and start, and waits up to {@code :timeout_ms} until it is gone
     * (PostgreSQL 14): after a session lease's release lost its reply, so the lock it may still hold
     * ends now rather than when the server notices the closed connection. No row: already gone.
     */
    static final String END_SESSION =
            """
            SELECT pg_terminate_backend(pid, :timeout_ms) AS ended FROM pg_stat_activity
            WHERE pid = :pid AND (extract(epoch FROM backend_start) * 1000000)::bigint = :started
            """;

    // ---- versioned values ----

    static final String READ = "SELECT value, version FROM {versioned} WHERE key = :key AND NOT deleted";

    /**
     * V2: a new key starts at version 1; a deleted one (a tombstone keeps its version and fence)
     * comes back at its old version + 1. Empty when the key exists; a concurrent create waits for
     * the first and then finds it (no 23505).
     */
    static final String CREATE =
            """
            INSERT INTO {versioned} AS v (key, value, version, write_id) VALUES (:key, :value, 1, :write_id)
            ON CONFLICT (key) DO UPDATE
                SET value = excluded.value, version = v.version + 1, deleted = false, write_id = excluded.write_id
                WHERE v.deleted
            RETURNING version
            """;

    /**
     * {@link #CREATE} fenced (V3), in one round trip. A new key starts at version 1 with the token as
     * its fence. An existing row (live, or a tombstone that keeps its fence) is locked by the upsert
     * and brought back to life only if it is deleted and no larger token has written it; otherwise it
     * is left as it was (every column set to itself, so the locked row's fence is returned even when
     * a concurrent first create committed after this statement's snapshot). {@code write_id} equal
     * to the caller's tells that this create applied; otherwise {@code fence} tells a fenced-out
     * create from an existing key.
     */
    static final String FENCED_CREATE =
            """
            INSERT INTO {versioned} AS v (key, value, version, fence, write_id)
            VALUES (:key, :value, 1, :token, :write_id)
            ON CONFLICT (key) DO UPDATE SET
                value    = CASE WHEN v.deleted AND v.fence <= excluded.fence THEN excluded.value ELSE v.value END,
                version  = CASE WHEN v.deleted AND v.fence <= excluded.fence THEN v.version + 1 ELSE v.version END,
                fence    = CASE WHEN v.deleted AND v.fence <= excluded.fence THEN excluded.fence ELSE v.fence END,
                write_id = CASE WHEN v.deleted AND v.fence <= excluded.fence THEN excluded.write_id ELSE v.write_id END,
                deleted  = v.deleted AND v.fence > excluded.fence
            RETURNING version, fence, write_id
            """;

    /** V1: the row's lock serialises concurrent writers; only the one that finds its expected version wins. */
    static final String CAS =
            """
            UPDATE {versioned} SET value = :value, version = version + 1, write_id = :write_id
            WHERE key = :key AND version = :expected AND NOT deleted
            RETURNING version
            """;

    /**
     * V1, V3 in one round trip: lock the row (the latest version, also a tombstone), then write only
     * if the version matches and no larger token has written; {@code fence} tells a fenced-out
     * writer from a plain conflict.
     */
    static final String FENCED_CAS =
            """
            WITH current AS MATERIALIZED (
                SELECT version, fence, deleted FROM {versioned} WHERE key = :key FOR UPDATE),
            written AS (
                UPDATE {versioned} v
                SET value = :value, version = v.version + 1, fence = :token, write_id = :write_id
                FROM current
                WHERE v.key = :key AND current.version = :expected AND NOT current.deleted
                  AND current.fence <= :token
                RETURNING v.version)
            SELECT (SELECT version FROM written) AS version, (SELECT fence FROM current) AS fence
            """;

    /** V2, V3: a tombstone keeps the version and the fence, so neither ever goes back. */
    static final String DELETE =
            """
            UPDATE {versioned} SET deleted = true, value = '\\x', write_id = :write_id
            WHERE key = :key AND version = :expected AND NOT deleted
            """;

    /**
     * V3 for a delete, in one round trip: lock the row (also a tombstone), then delete only if no
     * larger token has written it — checked before the version and before existence — and the
     * version matches; the tombstone keeps the token as its fence (never lower than the fence it had,
     * which was not larger). {@code fence} tells a fenced-out delete from a plain conflict.
     */
    static final String FENCED_DELETE =
            """
            WITH current AS MATERIALIZED (
                SELECT version, fence, deleted FROM {versioned} WHERE key = :key FOR UPDATE),
            written AS (
                UPDATE {versioned} v
                SET deleted = true, value = '\\x', fence = :token, write_id = :write_id
                FROM current
                WHERE v.key = :key AND current.version = :expected AND NOT current.deleted
                  AND current.fence <= :token
                RETURNING v.version)
            SELECT (SELECT version FROM written) AS version, (SELECT fence FROM current) AS fence
            """;

    /** After a lost reply (V4): who wrote the key last, to recognise one's own write. */
    static final String LAST_WRITE = "SELECT version, deleted, write_id FROM {versioned} WHERE key = :key";

    /**
     * Serialises concurrent {@code createSchema} calls of every process, inside its transaction. The
     * two-int form: its ids are a space of their own, apart from the one-bigint ids of keys, so no
     * key can take this lock ({@link KeyCodec#SCHEMA_LOCK_CLASS}).
     */
    static final String SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(:class_id, :object_id)";

    /**
     * What {@link SchemaCheck} reads: the server version, the token sequence's kind, settings and
     * persistence, and the kinds and persistence of two tables (null when missing). {@code :sequence}, {@code :lock_table} and {@code
     * :versioned} are quoted names.
     */
    static final String SCHEMA_CHECK =
            """
            SELECT current_setting('server_version_num')::int AS server_version,
                   c.relkind::text AS sequence_kind, s.seqincrement AS increment, s.seqmin AS minimum,
                   s.seqcache AS cache,
                   s.seqcycle AS cycle, c.relpersistence::text AS sequence_persistence,
                   (SELECT relkind::text FROM pg_class WHERE oid = to_regclass(:lock_table)) AS lock_table_kind,
                   (SELECT relpersistence::text FROM pg_class WHERE oid = to_regclass(:lock_table))
                       AS lock_table_persistence,
                   (SELECT relkind::text FROM pg_class WHERE oid = to_regclass(:versioned)) AS versioned_kind,
                   (SELECT relpersistence::text FROM pg_class WHERE oid = to_regclass(:versioned))
                       AS versioned_persistence
            FROM (SELECT to_regclass(:sequence) AS oid) r
            LEFT JOIN pg_class c ON c.oid = r.oid
            LEFT JOIN pg_sequence s ON s.seqrelid = r.oid
            """;

    /** {@code template} with the placeholders replaced by the quoted names in {@code names}. */
    static String render(String template, TableNames names) {
        return template.replace("{lock}", TableNames.quote(names.lockTable()))
                .replace("{rowlock}", TableNames.quote(names.rowLockTable()))
                .replace("{versioned}", TableNames.quote(names.versionedTable()))
                .replace("{token}", TableNames.quote(names.tokenSequence()))
                .replace("{durable}", DURABLE_COMMIT);
    }
}
