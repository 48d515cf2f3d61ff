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
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.javacrumbs.shedlock.provider.jdbc.JdbcLockProvider;

/**
 * [shedlock/jdbc]: ShedLock's {@code JdbcLockProvider} over a HikariCP pool, as ShedLock's users
 * configure it, on ShedLock's {@code shedlock} table in a fresh schema (its documented PostgreSQL
 * DDL, with {@code name} widened from 64 to 256 characters to fit lockkit's key limit). Each client
 * is its own pool whose sessions carry one application name; lockkit's {@code VersionedUpdate} on
 * the same database, unfenced. A timed lease: ShedLock's {@code lock_until}.
 *
 * <p>Expected, from ShedLock's design: no fencing token, so scenario 8's zombie write lands (V3);
 * ShedLock's unlock and extend check the lock's name (and for extend its host name), not its
 * holder, so a zombie on the same host extends and frees the next holder's lock (L3).
 */
final class ShedLockJdbcTarget extends PeerTarget {
    static final String NAME = "shedlock/jdbc";
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final String schema = Pg.newSchema();

    ShedLockJdbcTarget() {
        super(NAME);
        Pg.execute("CREATE TABLE " + schema + ".shedlock (name VARCHAR(256) NOT NULL, lock_until TIMESTAMP NOT NULL,"
                + " locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
        Pg.lockkit(Pg.url(schema + "-setup"), schema, "table", true, false).close();
    }

    @Override
    public Backend newClient() {
        String app = schema + "-shedlock-" + CLIENTS.incrementAndGet();
        HikariDataSource pool = pool(Pg.url(app), app, Duration.ofSeconds(30));
        Backend data;
        try {
            data = Pg.lockkit(Pg.url(app), schema, "table", false, false);
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, pool);
        }
        Backend client = backend(pool, data);
        return register(client, new Wire() {
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
        HikariDataSource pool = pool(url, "unreachable", Duration.ofSeconds(1));
        try {
            return backend(pool, Pg.lockkit(url, schema, "table", false, true));
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, pool);
        }
    }

    private PeerBackend backend(HikariDataSource pool, Backend data) {
        JdbcLockProvider shedlock = new JdbcLockProvider(pool, schema + ".shedlock");
        return new PeerBackend(
                NAME,
                Set.of(Capability.TIMED_LEASE),
                new PeerJobLock(NAME, new ShedLockPeer(shedlock)),
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
    void closeStore() {
        Pg.dropSchema(schema);
    }
}
