package io.lockkit.mariadb;

import io.lockkit.Backend;
import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;
import io.lockkit.testkit.mariadb.MariaDbTarget;
import java.time.Duration;
import java.util.Map;
import org.mariadb.jdbc.MariaDbDataSource;

/** The whole {@link JobLockTck} against MariaDB's lock table (the embedded server unless LOCKKIT_MARIADB_URL). */
class MariaDbTableJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new MariaDbTarget("table", MariaDbTableJobLockTckTest::open);
    }

    /** What a {@code jdbc:mariadb:} URI's options would say, through the builder (no provider yet). */
    static Backend open(String jdbcUrl, Map<String, String> options) {
        MariaDbDataSource dataSource;
        try {
            dataSource = new MariaDbDataSource(jdbcUrl);
            String connect = options.get("connectTimeout");
            if (connect != null) {
                dataSource.setLoginTimeout((int) Duration.parse("PT" + connect).toSeconds());
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalArgumentException("not a MariaDB JDBC URL", e);
        }
        MariaDbBackend.Builder builder = MariaDbBackend.builder(dataSource)
                .lockTable(options.get("lockTable"))
                .tokenSequence(options.get("tokenSequence"))
                .versionedTable(options.get("versionedTable"));
        if (options.containsKey("maxConnections")) {
            builder.maxConnections(Integer.parseInt(options.get("maxConnections")));
        }
        if (options.containsKey("networkTimeout")) {
            builder.networkTimeout(Duration.parse("PT" + options.get("networkTimeout")));
        }
        if (options.containsKey("connectionWait")) {
            builder.connectionWait(Duration.parse("PT" + options.get("connectionWait")));
        }
        MariaDbBackend backend = builder.build();
        if (Boolean.parseBoolean(options.get("createSchema"))) {
            backend.createSchema();
        }
        return backend;
    }
}
