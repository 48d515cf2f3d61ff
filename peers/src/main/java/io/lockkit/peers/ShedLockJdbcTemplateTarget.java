package io.lockkit.peers;

import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.peers.internal.PeerJobLock;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * [shedlock/jdbc-template]: ShedLock's {@code JdbcTemplateLockProvider} with {@code usingDbTime()},
 * the setup ShedLock's README recommends, on a Spring {@code JdbcTemplate} over a HikariCP pool, on
 * ShedLock's {@code shedlock} table in a fresh schema (as {@link ShedLockJdbcTarget}); {@link
 * PgPoolTarget}: a pool per client, lockkit's data unfenced. A timed lease: ShedLock's {@code
 * lock_until}, in the database's clock.
 *
 * <p>Each statement runs in a transaction of its own ({@code REQUIRES_NEW}): lock = {@code INSERT … ON
 * CONFLICT (name) DO UPDATE … WHERE lock_until <= now} for a name not seen yet, then {@code UPDATE …
 * WHERE name = ? AND lock_until <= now}; unlock = {@code UPDATE … SET lock_until = now (or locked_at
 * + lockAtLeastFor) WHERE name = ? AND locked_by = ?}, each followed by its {@code COMMIT}. Expected,
 * from ShedLock's design: no fencing token (scenario 8's zombie write lands, V3); unlock and extend
 * check the lock's name and host name ({@code locked_by}), not its holder, so a zombie on the same
 * host extends and frees the next holder's lock (L3).
 */
final class ShedLockJdbcTemplateTarget extends PgPoolTarget {
    static final String NAME = "shedlock/jdbc-template";

    ShedLockJdbcTemplateTarget() {
        super(NAME);
        PostgresTestServer.execute(
                "CREATE TABLE " + schema + ".shedlock (name VARCHAR(256) NOT NULL, lock_until TIMESTAMP NOT NULL,"
                        + " locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name))");
        createLockkitTables();
    }

    @Override
    PeerJobLock lock(HikariDataSource pool) {
        return new PeerJobLock(NAME, new ShedLockPeer(provider(pool, schema + ".shedlock")));
    }

    /** The provider as ShedLock's README sets it up: a {@code JdbcTemplate}, {@code usingDbTime()}. */
    static JdbcTemplateLockProvider provider(javax.sql.DataSource pool, String table) {
        return new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(pool))
                .withTableName(table)
                .usingDbTime()
                .build());
    }
}
