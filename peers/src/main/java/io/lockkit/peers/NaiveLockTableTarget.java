package io.lockkit.peers;

import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.testkit.postgresql.PostgresTestServer;

/**
 * [naive/lock-table]: the hand-written lock table of INCIDENTS.md rows 1, 2 and 5 ({@link
 * NaiveLockTablePeer}) on PostgreSQL ({@link PgPoolTarget}: a HikariCP pool per client, lockkit's
 * data unfenced). A timed lease: the row's {@code expires_at}.
 *
 * <p>Expected to fail: scenario 1 (L1/L6: under contention several workers see the key free; the
 * losers of the {@code INSERT} race throw a duplicate-key error instead of getting empty, and a late
 * "expired row" {@code DELETE} can let two hold at once); scenarios 2a/2b for the same reasons
 * (thrown errors, possibly two executions); scenario 5's lock-protected counter (L6 errors); scenario
 * 8 (no token: the zombie's write lands, V3; its unconditional release deletes the next holder's
 * row, L3); scenario 10 (no extend, L3); scenario 11 when contended. Scenarios 3, 4, 6, 7 use only
 * lockkit's versioned data and are not the pattern's to fail.
 */
final class NaiveLockTableTarget extends PgPoolTarget {
    static final String NAME = "naive/lock-table";

    private final String table = schema + ".naive_locks";

    NaiveLockTableTarget() {
        super(NAME);
        PostgresTestServer.execute(NaiveLockTablePeer.ddl(table));
        createLockkitTables();
    }

    @Override
    PeerJobLock lock(HikariDataSource pool) {
        return new PeerJobLock(NAME, new NaiveLockTablePeer(pool, table));
    }
}
