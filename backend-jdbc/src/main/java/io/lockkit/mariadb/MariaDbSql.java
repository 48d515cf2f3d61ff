package io.lockkit.mariadb;

/**
 * The MariaDB backend's statements, with {@code {lock}} and {@code {token}} for the configured (quoted)
 * names. Time is the database's: {@link #NOW_MICROS}, microseconds since the epoch in UTC, the same
 * value throughout one statement and independent of the session's time zone. Stateless.
 */
final class MariaDbSql {
    private MariaDbSql() {}

    /** The database clock, in microseconds since 1970 UTC (constant within a statement). */
    static final String NOW_MICROS = "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', UTC_TIMESTAMP(6))";

    /**
     * One sequence for every token (L2): {@code NOCACHE}, so every value is written to the sequence
     * table before it is handed out, values are handed out in one order across sessions, and a
     * crash never hands out one again.
     */
    static final String CREATE_TOKEN =
            "CREATE SEQUENCE IF NOT EXISTS {token} START WITH 1 MINVALUE 1 INCREMENT BY 1 NOCACHE NOCYCLE";

    /**
     * One row per key ever locked; a free key's row has expired (a release expires it at once).
     * {@code token}: the lease's fencing token, which also identifies it for extend and release (L3);
     * {@code owner}: the random id of the acquire attempt that wrote it (recognised after a lost
     * reply); {@code expires_at}: microseconds since 1970 UTC on the database clock.
     */
    static final String CREATE_LOCK =
            """
            CREATE TABLE IF NOT EXISTS {lock} (
                lock_key   VARBINARY(256) NOT NULL PRIMARY KEY,
                token      BIGINT         NOT NULL,
                owner      BIGINT         NOT NULL,
                expires_at BIGINT         NOT NULL
            ) ENGINE=InnoDB
            """;

    /** Whether the row's holder is gone or is this attempt: evaluated on the row as it was. */
    private static final String FREE_OR_OURS = "(expires_at <= " + NOW_MICROS + " OR owner = :owner)";

    /**
     * L1, L2, L4, L6: one statement grants the key if it is free or its holder's time is up on the
     * database clock, under InnoDB's lock on the key's index entry; no read before it (no
     * check-then-insert), no sweep, and no {@code Duplicate entry}: a concurrent insert of the same
     * key waits for the first and then takes the update branch.
     *
     * <p>The token is drawn in the update branch only, under the row lock and only when the row is
     * taken: a {@code NEXTVAL} in {@code VALUES} would be drawn before any lock wait, so an attempt
     * that waited could be granted after others with larger tokens (L2: a grant after a wait is
     * ordered after everything granted meanwhile). A key's first attempt therefore inserts a
     * placeholder (token and owner 0, expired since 1970) and is sent once more, which takes the row
     * in the update branch. The result does not depend on the order MariaDB applies the assignments
     * in ({@code SIMULTANEOUS_ASSIGNMENT} or not): {@code expires_at} comes last, and before it only
     * {@code owner} changes, to {@code :owner}, exactly when the condition was already true. The returned row is
     * the key's row afterwards: the attempt won when it carries {@code :owner} (a random, non-zero id
     * per attempt; sent again after a lost reply, the attempt finds its own grant and takes it over),
     * and otherwise tells how long the holder still has (L7).
     */
    static final String ACQUIRE = "INSERT INTO {lock} (lock_key, token, owner, expires_at)"
            + " VALUES (:key, 0, 0, 0)"
            + " ON DUPLICATE KEY UPDATE"
            + " token = IF(" + FREE_OR_OURS + ", NEXTVAL({token}), token),"
            + " owner = IF(" + FREE_OR_OURS + ", :owner, owner),"
            + " expires_at = IF(" + FREE_OR_OURS + ", " + NOW_MICROS + " + :micros, expires_at)"
            + " RETURNING token, owner, expires_at - " + NOW_MICROS + " AS held_for";

    /** L3: extends only the lease with this token, and only while it has not expired. */
    static final String EXTEND = "UPDATE {lock} SET expires_at = " + NOW_MICROS + " + :micros"
            + " WHERE lock_key = :key AND token = :token AND expires_at > " + NOW_MICROS;

    /**
     * L3: frees only the lease with this token. The row stays (expired), so a later grant of the key
     * goes through the update branch of {@link #ACQUIRE} and draws its token there. As on
     * PostgreSQL, a release sent again after a lost reply finds the row still carrying its token
     * (nobody else can have taken it without drawing a new one) and counts it; whether the lease was
     * still current is the lease's own deadline's to say.
     */
    static final String RELEASE =
            "UPDATE {lock} SET expires_at = " + NOW_MICROS + " WHERE lock_key = :key AND token = :token";

    /**
     * After an acquire whose reply was lost, best effort (L1, E2): ends the grant the attempt may have
     * left ({@code :owner} is its random id, so only that grant matches).
     */
    static final String ABANDON = "UPDATE {lock} SET expires_at = " + NOW_MICROS
            + " WHERE lock_key = :key AND owner = :owner AND expires_at > " + NOW_MICROS;

    // ---- the advisory variant (GET_LOCK) ----

    /**
     * The advisory grant, one statement: {@code GET_LOCK} on the lease's session, waiting up to {@code
     * :wait_ms} in the server (0 for a try; it returns at once when the holder releases or its session
     * ends, L7), and only when it returned 1 the token, {@code NEXTVAL} under the lock (L2: a later
     * holder draws later). The token is written with the key's grant row, {@code :row} ({@code 0xFF}
     * and the lock name: no UTF-8 key of the lock table contains {@code 0xFF}, so the table variant
     * never sees it; its owner is the holder's connection id), because a {@code NEXTVAL} alone is not durable at its reply:
     * InnoDB logs the sequence's row without a commit that waits for the flush (measured on 10.11:
     * after {@code SELECT NEXTVAL(s)} the log sequence number stays ahead of "log flushed up to"
     * until the next flushing commit, up to a second later), and a token handed out then could be
     * handed out again after a crash. This row write makes the autocommit's commit flush the log up
     * to and including the sequence's record before the reply. When {@code GET_LOCK} returned 0 (held)
     * or NULL, no token is drawn, {@code owner} is 0 (a connection id never is, so the update tests
     * it, not the token) and {@code granted} is 0: the grant row is left as it was (a no-op update
     * writes no log record, so nothing waits for a flush; it locks the row for its autocommit), or, on
     * the key's first try, written with token 0. {@code INSERT … VALUES}, not {@code INSERT … SELECT … WHERE GET_LOCK(…)}: MariaDB
     * 11.4 flushes its redo log twice for an {@code INSERT … SELECT} (counted with {@code
     * Innodb_data_fsyncs}: 2 per statement, with or without {@code NEXTVAL}; 1 for {@code INSERT …
     * VALUES}; 10.11 flushes once for both), which cost every grant a second flushed write.
     */
    static final String ADVISORY_ACQUIRE = "INSERT INTO {lock} (lock_key, token, owner, expires_at)"
            + " VALUES (:row, IF(GET_LOCK(:name, :wait_ms * 0.001) = 1, NEXTVAL({token}), 0),"
            + " IF(IS_USED_LOCK(:name) = CONNECTION_ID(), CONNECTION_ID(), 0), 0)"
            + " ON DUPLICATE KEY UPDATE token = IF(VALUES(owner) = 0, token, VALUES(token)),"
            + " owner = IF(VALUES(owner) = 0, owner, VALUES(owner))"
            + " RETURNING token, IS_USED_LOCK(:name) = CONNECTION_ID() AS granted";

    /** L3: whether this session still holds the lock (an extend's check; the statement also restarts the idle timer). */
    static final String ADVISORY_HELD = "SELECT IS_USED_LOCK(:name) = CONNECTION_ID() AS held";

    /** L3: 1 when this session held the lock and released it; 0 (another's) or NULL (nobody's) otherwise. */
    static final String ADVISORY_RELEASE = "SELECT RELEASE_LOCK(:name) AS released";

    // ---- the rowlock variant (InnoDB's row lock, held by a transaction pinned to the lease) ----

    /**
     * A key's lock row ({@code :row}: {@code 0xFE} and the key, see {@link RowLockJobLock#row}),
     * created on the key's first use and committed at once, so that every session can lock it; rows
     * of the other variants never start with {@code 0xFE}. It never waits: when the row exists and is
     * locked by its holder, the duplicate check would wait for that lock, so it fails at once (1205,
     * "held") instead.
     */
    static final String ROWLOCK_CREATE = "SET STATEMENT innodb_lock_wait_timeout = 0 FOR"
            + " INSERT IGNORE INTO {lock} (lock_key, token, owner, expires_at) VALUES (:row, 0, 0, 0)";

    /**
     * The grant, L1 and L2: the key's row locked by the lease's transaction, and a token drawn under
     * that lock (InnoDB locks the row before the select list is evaluated, so a later holder draws
     * later). No row: the key has none yet. A held row fails with 1205 at once ({@code NOWAIT}).
     */
    static final String ROWLOCK_TRY =
            "SELECT NEXTVAL({token}) AS token FROM {lock} WHERE lock_key = :row FOR UPDATE NOWAIT";

    /**
     * The grant after a wait in InnoDB, which ends the moment the holder's transaction does (L7), for
     * at most {@code {seconds}} (fractional): then 1969, "max_statement_time exceeded" (not granted).
     * InnoDB's own lock wait is set above the slice ({@code {lock_wait}}, whole seconds), so that a
     * server whose {@code innodb_lock_wait_timeout} is 0 does not turn the wait into a spin.
     */
    static final String ROWLOCK_WAIT = "SET STATEMENT innodb_lock_wait_timeout = {lock_wait},"
            + " max_statement_time = {seconds} FOR"
            + " SELECT NEXTVAL({token}) AS token FROM {lock} WHERE lock_key = :row FOR UPDATE";

    /**
     * L2: makes the token durable before it is handed out. A {@code NEXTVAL} alone is not (see {@link
     * #ADVISORY_ACQUIRE}): this autocommit write of the key's grant row ({@code :grant}, {@code 0xFD}
     * and the key; the token differs every time, so InnoDB really writes it) flushes the redo log up
     * to and including the sequence's record before its reply. {@code owner}: the holder's
     * connection id.
     */
    static final String ROWLOCK_FLUSH = "INSERT INTO {lock} (lock_key, token, owner, expires_at)"
            + " VALUES (:grant, :token, :conn, 0)"
            + " ON DUPLICATE KEY UPDATE token = VALUES(token), owner = VALUES(owner)";

    /** L3, an extend's check: whether the lease's transaction, and so its row lock, is still open. */
    static final String ROWLOCK_HELD = "SELECT @@in_transaction AS in_transaction";

    /** The lease sessions still alive (their ids, comma-separated), and the server's start. */
    static final String SESSIONS_ALIVE = "SELECT GROUP_CONCAT(ID) AS alive, {started} AS started"
            + " FROM information_schema.PROCESSLIST WHERE ID IN ({ids}) AND COMMAND <> 'Killed'";

    /** When the server started, in seconds since 1970 (within a second): a restart reuses connection ids. */
    static final String SERVER_START =
            "UNIX_TIMESTAMP() - (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME')";

    // ---- versioned values ----

    /**
     * A deleted key stays as a tombstone, so its version and fence never go back (V2, V3); {@code
     * write_id}: the random id of the last write, which recognises a write whose reply was lost (V4).
     */
    static final String CREATE_VERSIONED =
            """
            CREATE TABLE IF NOT EXISTS {versioned} (
                vkey     VARBINARY(256) NOT NULL PRIMARY KEY,
                value    LONGBLOB       NOT NULL,
                version  BIGINT         NOT NULL,
                fence    BIGINT         NOT NULL DEFAULT 0,
                deleted  BOOLEAN        NOT NULL DEFAULT FALSE,
                write_id BIGINT         NOT NULL
            ) ENGINE=InnoDB
            """;

    static final String READ = "SELECT value, version FROM {versioned} WHERE vkey = :key AND NOT deleted";

    /** The row as the last write left it (after a lost reply, V4). */
    static final String LAST_WRITE = "SELECT version, deleted, write_id, fence FROM {versioned} WHERE vkey = :key";

    /**
     * Whether the key's row may be (re)created by this write: a tombstone whose fence {@code :limit}
     * reaches (a fenced write's token; {@link Long#MAX_VALUE} for an unfenced one, which no fence
     * stops).
     */
    private static final String REVIVES = "(deleted AND fence <= :limit)";

    /**
     * V1, V2, V3: creates the key, or revives its tombstone with the next version, in one statement
     * (no {@code Duplicate entry}: a live key takes the update branch and keeps its row). Unfenced
     * creates send fence 0 and no limit. Every assignment tests {@code REVIVES} on the row as it was
     * whatever order MariaDB applies them in ({@code SIMULTANEOUS_ASSIGNMENT} or not): the only column
     * it reads that changes before it is {@code fence}, which becomes at most {@code :limit} exactly
     * when it was already. The returned row is the key's row afterwards: the write applied when it
     * carries {@code :write_id}; otherwise its fence tells a fenced-out create from a live key.
     */
    static final String CREATE = "INSERT INTO {versioned} (vkey, value, version, fence, deleted, write_id)"
            + " VALUES (:key, :value, 1, :fence, FALSE, :write_id)"
            + " ON DUPLICATE KEY UPDATE"
            + " value = IF(" + REVIVES + ", VALUES(value), value),"
            + " version = IF(" + REVIVES + ", version + 1, version),"
            + " write_id = IF(" + REVIVES + ", VALUES(write_id), write_id),"
            + " fence = IF(" + REVIVES + ", GREATEST(fence, VALUES(fence)), fence),"
            + " deleted = IF(" + REVIVES + ", FALSE, deleted)"
            + " RETURNING version, write_id, fence";

    /**
     * V1, V3: a compare-and-set; a fenced one sends its token as {@code :fence} and {@code :limit}, an
     * unfenced one fence 0 and no limit ({@link Long#MAX_VALUE}).
     */
    static final String CAS = "UPDATE {versioned} SET value = :value, version = version + 1,"
            + " fence = GREATEST(fence, :fence), write_id = :write_id"
            + " WHERE vkey = :key AND version = :expected AND NOT deleted AND fence <= :limit";

    /** V1, V3: a delete leaves a tombstone with its version and the larger fence ({@code :fence}, {@code :limit} as in {@link #CAS}). */
    static final String DELETE = "UPDATE {versioned} SET deleted = TRUE, fence = GREATEST(fence, :fence),"
            + " write_id = :write_id WHERE vkey = :key AND version = :expected AND NOT deleted AND fence <= :limit";

    static String render(String sql, String lock, String token, String versioned) {
        return sql.replace("{started}", SERVER_START)
                .replace("{lock}", lock)
                .replace("{token}", token)
                .replace("{versioned}", versioned);
    }
}
