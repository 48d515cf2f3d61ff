package io.lockkit.peers;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.peers.internal.Closer;
import io.lockkit.peers.internal.PeerBackend;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.peers.internal.Pg;
import io.lockkit.shedlock.LockKitLockProvider;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * [shedlock/lockkit-pg]: ShedLock's API on lockkit, as a team that keeps its {@code @SchedulerLock}
 * code would run it: lockkit's {@code LockKitLockProvider} (module shedlock) on lockkit's PostgreSQL
 * table variant, one client per process, in a fresh schema, called exactly as the ShedLock columns
 * are ({@link ShedLockPeer}). The run's fencing token ({@code LockKitLockProvider.leaseOf(lock)}, what
 * {@code currentLease()} gives a task) goes to lockkit's fenced write on the same store. A timed
 * lease.
 *
 * <p>Expected: the cells where ShedLock's own providers fail pass here. Scenario 8's zombie write is
 * refused (V3: the token), the zombie's late unlock and extend are owner-checked and leave the next
 * holder's lock alone (L3: the third client's try proves it; the zombie's release reports false
 * only because ShedLock's {@code SimpleLock} is single use after its refused extend, since ShedLock's
 * unlock gives no answer), and the fuzz scenario's extends are answered truthfully.
 */
final class ShedLockOnLockKitTarget extends PeerTarget {
    static final String NAME = "shedlock/lockkit-pg";
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final String schema = PostgresTestServer.newSchema();

    ShedLockOnLockKitTarget() {
        super(NAME);
        Pg.lockkit(PostgresTestServer.jdbcUrl(schema + "-setup"), schema, "table", true, false)
                .close();
    }

    @Override
    public Backend newClient() {
        String app = schema + "-shedlock-lockkit-" + CLIENTS.incrementAndGet();
        Backend store = Pg.lockkit(PostgresTestServer.jdbcUrl(app), schema, "table", false, false);
        return register(backend(store), new Wire() {
            @Override
            public void kill() {
                PostgresTestServer.terminate(app);
            }

            /** The process vanishes: its connections end, releasing nothing; the lock row stays until it expires. */
            @Override
            public void crash() {
                store.close();
                PostgresTestServer.terminate(app);
            }
        });
    }

    @Override
    public Backend unreachableClient() {
        return backend(Pg.lockkit(PostgresTestServer.unreachableUrl(), schema, "table", false, true));
    }

    private static PeerBackend backend(Backend store) {
        LockKitLockProvider provider;
        try {
            provider = new LockKitLockProvider(store);
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, store);
        }
        ShedLockPeer peer = new ShedLockPeer(provider, true, lock -> LockKitLockProvider.leaseOf(lock)
                .map(lease -> OptionalLong.of(lease.token()))
                .orElseGet(OptionalLong::empty));
        return new PeerBackend(
                NAME,
                Set.of(Capability.TIMED_LEASE),
                new PeerJobLock(NAME, peer),
                store.versionedUpdate(),
                List.of(provider, store));
    }

    @Override
    void closeStore() {
        PostgresTestServer.dropSchema(schema);
    }
}
