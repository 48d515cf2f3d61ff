package io.lockkit.peers;

import io.lockkit.Backend;
import io.lockkit.peers.internal.BlindWrites;
import io.lockkit.peers.internal.PeerBackend;
import io.lockkit.peers.internal.Pg;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * [naive/rmw]: read-modify-write without a version, on PostgreSQL. The lock is lockkit's own
 * PostgreSQL table lock, with its real fencing tokens, so this column isolates the data pattern:
 * the {@code VersionedUpdate} is {@link BlindWrites}, whose compare-and-sets ignore the expected
 * version and overwrite whatever is stored.
 *
 * <p>Expected to fail: scenario 3 (V1: every completer is told it won), 4 (V1: both writers of a
 * pair win), 5 through the updater (V4: increments from stale reads overwrite each other; the
 * lock-protected half passes), 6 (V1/V4: progress can go backwards), 7 (V1/V2: the slow writer's
 * stale write lands). Scenario 2 passes only because its workers re-read under the lock. Scenarios
 * 1, 8 (fenced by lockkit's tokens), 9, 10, 11 exercise lockkit's lock and are expected to pass.
 */
final class NaiveRmwTarget extends PeerTarget {
    static final String NAME = "naive/rmw";
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final String schema = PostgresTestServer.newSchema();

    NaiveRmwTarget() {
        super(NAME);
        Pg.lockkit(PostgresTestServer.jdbcUrl(schema + "-setup"), schema, "table", true, false)
                .close();
    }

    @Override
    public Backend newClient() {
        String app = schema + "-rmw-" + CLIENTS.incrementAndGet();
        Backend lockkit = Pg.lockkit(PostgresTestServer.jdbcUrl(app), schema, "table", false, false);
        return register(backend(lockkit), new Wire() {
            @Override
            public void kill() {
                PostgresTestServer.terminate(app);
            }

            @Override
            public void crash() {
                PostgresTestServer.terminate(app);
            }
        });
    }

    @Override
    public Backend unreachableClient() {
        return backend(Pg.lockkit(PostgresTestServer.unreachableUrl(), schema, "table", false, true));
    }

    private static PeerBackend backend(Backend lockkit) {
        return new PeerBackend(
                NAME,
                lockkit.capabilities(),
                lockkit.jobLock(),
                new BlindWrites(lockkit.versionedUpdate()),
                List.of(lockkit));
    }

    @Override
    void closeStore() {
        PostgresTestServer.dropSchema(schema);
    }
}
