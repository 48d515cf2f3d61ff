package io.lockkit.peers;

import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.peers.internal.Closer;
import io.lockkit.peers.internal.Maria;
import io.lockkit.peers.internal.PeerBackend;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.peers.internal.Unfenced;
import io.lockkit.testkit.mariadb.MariaDbTestServer;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * [shedlock/jdbc-template-mariadb]: ShedLock's {@code JdbcTemplateLockProvider} with {@code
 * usingDbTime()}, as ShedLock's README recommends it ({@link ShedLockJdbcTemplateTarget#provider}),
 * on MariaDB through a HikariCP pool per client, on ShedLock's {@code shedlock} table (its documented
 * MySQL DDL, {@code name} widened from 64 to 255 characters for lockkit's keys) in a database of
 * the target's own, with lockkit's MariaDB lock table's {@code VersionedUpdate} beside it, unfenced.
 * Each client connects to an empty database of its own and names the tables in full, so that a
 * fault can end exactly that client's sessions ({@link MariaDbTestServer#killSessionsIn}). A timed
 * lease: ShedLock's {@code lock_until}, in the database's clock.
 *
 * <p>Expected, from ShedLock's design, as on PostgreSQL: no fencing token (scenario 8's zombie write
 * lands, V3); unlock and extend check the lock's name and host name, not its holder (L3).
 */
final class ShedLockMariaDbTarget extends PeerTarget {
    static final String NAME = "shedlock/jdbc-template-mariadb";
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final String database = MariaDbTestServer.newDatabase();
    /** The clients' own (empty) databases, dropped with the target's. */
    private final Queue<String> clientDatabases = new ConcurrentLinkedQueue<>();

    ShedLockMariaDbTarget() {
        super(NAME);
        MariaDbTestServer.execute("CREATE TABLE " + database + ".shedlock (name VARCHAR(255) NOT NULL,"
                + " lock_until TIMESTAMP(3) NOT NULL, locked_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),"
                + " locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
        Maria.lockkit(MariaDbTestServer.databaseUrl(database), database, true, false)
                .close();
    }

    @Override
    public Backend newClient() {
        String own = database + "_c" + CLIENTS.incrementAndGet();
        MariaDbTestServer.execute("CREATE DATABASE " + own);
        clientDatabases.add(own);
        String url = MariaDbTestServer.databaseUrl(own);
        HikariDataSource pool = PgPoolTarget.pool(url, own, Duration.ofSeconds(30));
        Backend data;
        try {
            data = Maria.lockkit(url, database, false, false);
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, pool);
        }
        return register(backend(pool, data), new Wire() {
            @Override
            public void kill() {
                MariaDbTestServer.killSessionsIn(own);
            }

            /** The process vanishes: its pool stops and its sessions end, releasing nothing. */
            @Override
            public void crash() {
                pool.close();
                MariaDbTestServer.killSessionsIn(own);
            }
        });
    }

    @Override
    public Backend unreachableClient() {
        String url = MariaDbTestServer.unreachableUrl();
        HikariDataSource pool = PgPoolTarget.pool(url, "unreachable", Duration.ofSeconds(1));
        try {
            return backend(pool, Maria.lockkit(url, database, false, true));
        } catch (RuntimeException e) {
            throw Closer.closeAfter(e, pool);
        }
    }

    private PeerBackend backend(HikariDataSource pool, Backend data) {
        return new PeerBackend(
                name(),
                Set.of(Capability.TIMED_LEASE),
                new PeerJobLock(
                        NAME, new ShedLockPeer(ShedLockJdbcTemplateTarget.provider(pool, database + ".shedlock"))),
                new Unfenced(data.versionedUpdate()),
                List.of(pool, data));
    }

    @Override
    void closeStore() {
        clientDatabases.forEach(MariaDbTestServer::dropDatabase);
        MariaDbTestServer.dropDatabase(database);
    }
}
