package io.lockkit.peers;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.peers.internal.Closer;
import io.lockkit.peers.internal.PeerBackend;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.peers.internal.Pg;
import io.lockkit.peers.internal.Unfenced;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A peer that locks through a HikariCP pool on PostgreSQL, as its users configure one: each client
 * is its own pool whose sessions carry one application name (so a fault can end exactly that
 * client's sessions), in a fresh schema per target, with lockkit's table-variant {@code
 * VersionedUpdate} on the same database, unfenced. A timed lease. A subclass supplies the lock.
 */
abstract class PgPoolTarget extends PeerTarget {
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    /** The target's own schema, dropped when it closes. */
    final String schema = PostgresTestServer.newSchema();

    PgPoolTarget(String name) {
        super(name);
    }

    /** The peer's lock on {@code pool}. */
    abstract PeerJobLock lock(HikariDataSource pool);

    /** Creates lockkit's tables in the schema; call once the peer's own tables exist. */
    final void createLockkitTables() {
        Pg.lockkit(PostgresTestServer.jdbcUrl(schema + "-setup"), schema, "table", true, false)
                .close();
    }

    @Override
    public final Backend newClient() {
        String app = schema + "-" + name().replace('/', '-') + "-" + CLIENTS.incrementAndGet();
        HikariDataSource pool = pool(PostgresTestServer.jdbcUrl(app), app, Duration.ofSeconds(30));
        Backend data;
        try {
            data = Pg.lockkit(PostgresTestServer.jdbcUrl(app), schema, "table", false, false);
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, pool);
        }
        return register(backend(pool, data), new Wire() {
            @Override
            public void kill() {
                PostgresTestServer.terminate(app);
            }

            /**
             * The process vanishes: its pool stops (so nothing reconnects) and its sessions end,
             * releasing nothing; the lock row stays until it expires.
             */
            @Override
            public void crash() {
                pool.close();
                PostgresTestServer.terminate(app);
            }
        });
    }

    @Override
    public final Backend unreachableClient() {
        String url = PostgresTestServer.unreachableUrl();
        HikariDataSource pool = pool(url, "unreachable", Duration.ofSeconds(1));
        try {
            return backend(pool, Pg.lockkit(url, schema, "table", false, true));
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, pool);
        }
    }

    private PeerBackend backend(HikariDataSource pool, Backend data) {
        return new PeerBackend(
                name(),
                Set.of(Capability.TIMED_LEASE),
                lock(pool),
                new Unfenced(data.versionedUpdate()),
                List.of(pool, data));
    }

    /** A pool as users configure one, but created lazily so that an unreachable server fails the first call (E2). */
    static HikariDataSource pool(String url, String name, Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setPoolName("peers-" + name);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    @Override
    final void closeStore() {
        PostgresTestServer.dropSchema(schema);
    }
}
