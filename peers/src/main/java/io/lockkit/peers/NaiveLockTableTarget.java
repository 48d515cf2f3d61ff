package io.lockkit.peers;

import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.peers.internal.Closer;
import io.lockkit.peers.internal.PeerBackend;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.peers.internal.Pg;
import io.lockkit.peers.internal.Unfenced;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * [naive/lock-table]: the hand-written lock table of the incident ({@link NaiveLockTablePeer}) on
 * PostgreSQL, over a HikariCP pool per client whose sessions carry one application name. lockkit's
 * {@code VersionedUpdate} on the same database, unfenced. A timed lease: the row's {@code
 * expires_at}.
 *
 * <p>Expected to fail: scenario 1 (L1/L6: under contention several workers see the key free; the
 * losers of the {@code INSERT} race throw a duplicate-key error instead of getting empty, and a late
 * "expired row" {@code DELETE} can let two hold at once); scenarios 2a/2b for the same reasons
 * (thrown errors, possibly two executions); scenario 5's lock-protected counter (L6 errors); scenario
 * 8 (no token: the zombie's write lands, V3; its unconditional release deletes the next holder's
 * row, L3); scenario 10 (no extend, L3); scenario 11 when contended. Scenarios 3, 4, 6, 7 use only
 * lockkit's versioned data and are not the pattern's to fail.
 */
final class NaiveLockTableTarget extends PeerTarget {
    static final String NAME = "naive/lock-table";
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final String schema = Pg.newSchema();
    private final String table = schema + ".naive_locks";

    NaiveLockTableTarget() {
        super(NAME);
        Pg.execute(NaiveLockTablePeer.ddl(table));
        Pg.lockkit(Pg.url(schema + "-setup"), schema, "table", true, false).close();
    }

    @Override
    public Backend newClient() {
        String app = schema + "-naive-" + CLIENTS.incrementAndGet();
        HikariDataSource pool = ShedLockJdbcTarget.pool(Pg.url(app), app, Duration.ofSeconds(30));
        Backend data;
        try {
            data = Pg.lockkit(Pg.url(app), schema, "table", false, false);
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, pool);
        }
        return register(backend(pool, data), new Wire() {
            @Override
            public void kill() {
                Pg.terminate(app);
            }

            /**
             * The process vanishes: its pool stops (so nothing reconnects) and its sessions end,
             * releasing nothing; the lock row stays until it expires.
             */
            @Override
            public void crash() {
                pool.close();
                Pg.terminate(app);
            }
        });
    }

    @Override
    public Backend unreachableClient() {
        String url = Pg.unreachableUrl();
        HikariDataSource pool = ShedLockJdbcTarget.pool(url, "unreachable", Duration.ofSeconds(1));
        try {
            return backend(pool, Pg.lockkit(url, schema, "table", false, true));
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, pool);
        }
    }

    private PeerBackend backend(HikariDataSource pool, Backend data) {
        return new PeerBackend(
                NAME,
                Set.of(Capability.TIMED_LEASE),
                new PeerJobLock(NAME, new NaiveLockTablePeer(pool, table)),
                new Unfenced(data.versionedUpdate()),
                List.of(pool, data));
    }

    @Override
    void closeStore() {
        Pg.dropSchema(schema);
    }
}
