package io.lockkit.mariadb;

import com.mysql.cj.jdbc.MysqlDataSource;
import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.testkit.mariadb.MariaDbTarget;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Opens MariaDB clients the way a team on MySQL's driver does: {@link MariaDbBackend#builder} over
 * MySQL Connector/J's own {@link MysqlDataSource} (not MariaDB Connector/J), on the same server and
 * with the same options as {@link MariaDbTarget}'s {@code LockKit.open} clients. The backend names no
 * driver class, so what this proves is that nothing in it leans on MariaDB Connector/J's behaviour
 * (its {@code RETURNING} result sets, error codes, network timeouts, the session setup).
 */
final class MySqlConnectorJ {
    private static final Set<String> KNOWN = Set.of(
            "variant",
            "lockTable",
            "tokenSequence",
            "versionedTable",
            "createSchema",
            "maxConnections",
            "connectTimeout",
            "connectionWait",
            "networkTimeout");

    private MySqlConnectorJ() {}

    /** A {@link MariaDbTarget.Opener} whose clients go through MySQL Connector/J. */
    static Backend open(String jdbcUrl, Map<String, String> options) {
        for (String name : options.keySet()) {
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("MySqlConnectorJ does not map the option " + name);
            }
        }
        MysqlDataSource dataSource = new MysqlDataSource();
        dataSource.setURL(jdbcUrl.replaceFirst("^jdbc:mariadb:", "jdbc:mysql:"));
        try {
            String connect = options.get("connectTimeout");
            if (connect != null) {
                dataSource.setConnectTimeout(
                        (int) Duration.parse("PT" + connect).toMillis());
            }
            dataSource.setSslMode("DISABLED");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        MariaDbBackend.Builder b = MariaDbBackend.builder(dataSource);
        b.variant(MariaDbBackend.Variant.valueOf(
                options.getOrDefault("variant", "table").toUpperCase(Locale.ROOT)));
        if (options.containsKey("lockTable")) {
            b.lockTable(options.get("lockTable"));
        }
        if (options.containsKey("tokenSequence")) {
            b.tokenSequence(options.get("tokenSequence"));
        }
        if (options.containsKey("versionedTable")) {
            b.versionedTable(options.get("versionedTable"));
        }
        if (options.containsKey("maxConnections")) {
            b.maxConnections(Integer.parseInt(options.get("maxConnections")));
        }
        if (options.containsKey("connectionWait")) {
            b.connectionWait(Duration.parse("PT" + options.get("connectionWait")));
        }
        if (options.containsKey("networkTimeout")) {
            b.networkTimeout(Duration.parse("PT" + options.get("networkTimeout")));
        }
        MariaDbBackend backend = b.build();
        if (Boolean.parseBoolean(options.get("createSchema"))) {
            backend.createSchema();
        } else {
            try {
                backend.checkSchema(); // as LockKit.open does without createSchema=true
            } catch (BackendUnavailableException e) {
                // each call reports it (E2)
            }
        }
        return backend;
    }
}
