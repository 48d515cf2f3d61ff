package io.lockkit.peers;

import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import net.javacrumbs.shedlock.provider.jdbc.JdbcLockProvider;

/**
 * [shedlock/jdbc]: ShedLock's {@code JdbcLockProvider} (6.9.2, the newest the registry serves) over a HikariCP pool, as ShedLock's users
 * configure it, on ShedLock's {@code shedlock} table in a fresh schema (its documented PostgreSQL
 * DDL, with {@code name} widened from 64 to 256 characters to fit lockkit's key limit); {@link
 * PgPoolTarget}: a pool per client, lockkit's data unfenced. A timed lease: ShedLock's {@code
 * lock_until}.
 *
 * <p>Expected, from ShedLock's design: no fencing token, so scenario 8's zombie write lands (V3);
 * ShedLock's unlock and extend check the lock's name (and for extend its host name), not its
 * holder, so a zombie on the same host extends and frees the next holder's lock (L3).
 */
final class ShedLockJdbcTarget extends PgPoolTarget {
    static final String NAME = "shedlock/jdbc";

    ShedLockJdbcTarget() {
        super(NAME);
        PostgresTestServer.execute(
                "CREATE TABLE " + schema + ".shedlock (name VARCHAR(256) NOT NULL, lock_until TIMESTAMP NOT NULL,"
                        + " locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
        createLockkitTables();
    }

    @Override
    PeerJobLock lock(HikariDataSource pool) {
        return new PeerJobLock(NAME, new ShedLockPeer(new JdbcLockProvider(pool, schema + ".shedlock")));
    }
}
