package io.lockkit.bench;

import io.lockkit.testkit.mariadb.MariaDbTestServer;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import io.lockkit.testkit.redis.RedisTestServer;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where the four stores are: the address in a system property ({@value #POSTGRES}, {@value
 * #MARIADB}, {@value #REDIS}, {@value #ZOOKEEPER}), else the testkits' test server (the one the
 * environment variable the backend tests read names, {@code LOCKKIT_POSTGRES_URL}, {@code
 * LOCKKIT_MARIADB_URL}, {@code LOCKKIT_REDIS_URL}, {@code LOCKKIT_ZOOKEEPER_CONNECT}, else an
 * embedded server started on first use and stopped when the JVM exits). On MariaDB the benchmark
 * works in a database of its own, created on that server. {@link BenchMain} starts them once and
 * hands the addresses to every JMH fork as system properties, so forks never start servers of their
 * own. Thread-safe.
 */
final class Stores {
    static final String POSTGRES = "lockkit.bench.postgres";
    static final String MARIADB = "lockkit.bench.mariadb";
    static final String REDIS = "lockkit.bench.redis";
    static final String ZOOKEEPER = "lockkit.bench.zookeeper";

    private Stores() {}

    /** A JDBC URL with user and password. */
    static synchronized String postgres() {
        return locate(POSTGRES, PostgresTestServer::jdbcUrl);
    }

    /**
     * A JDBC URL ({@code jdbc:mariadb://host:port/database?user=…}) of a database of the benchmark's
     * own, created on first use; on a server {@code LOCKKIT_MARIADB_URL} names it is dropped when the
     * JVM exits (an embedded or Testcontainers server goes away whole).
     */
    static synchronized String mariadb() {
        return locate(MARIADB, () -> {
            String database = MariaDbTestServer.newDatabase();
            String external = System.getenv(MariaDbTestServer.URL_VARIABLE);
            if (external != null && !external.isBlank()) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        MariaDbTestServer.dropDatabase(database);
                    } catch (RuntimeException e) {
                        System.err.println("bench: could not drop the MariaDB database " + database + ": " + e);
                    }
                }));
            }
            return MariaDbTestServer.databaseUrl(database);
        });
    }

    /** {@code redis://host:port}. */
    static synchronized String redis() {
        return locate(REDIS, () -> RedisTestServer.get().address());
    }

    /** A ZooKeeper connect string. */
    static synchronized String zookeeper() {
        return locate(ZOOKEEPER, () -> ZooKeeperTestServer.shared().connectString());
    }

    /** Every store's address as the system properties a fork needs, starting what is not running. */
    static Map<String, String> all() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(POSTGRES, postgres());
        properties.put(MARIADB, mariadb());
        properties.put(REDIS, redis());
        properties.put(ZOOKEEPER, zookeeper());
        return properties;
    }

    private static String locate(String property, Supplier<String> testServer) {
        String address = System.getProperty(property);
        if (address == null || address.isBlank()) {
            address = testServer.get();
        }
        System.setProperty(property, address.strip());
        return address.strip();
    }
}
