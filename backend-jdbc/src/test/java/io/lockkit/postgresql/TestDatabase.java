package io.lockkit.postgresql;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The PostgreSQL the tests run against: the server named by {@code LOCKKIT_POSTGRES_URL} (a JDBC
 * URL) when set, else, when {@code LOCKKIT_TESTCONTAINERS=true}, one Testcontainers {@code
 * postgres:15} per JVM (Docker required), else one embedded server per JVM (zonky). Each user gets
 * its own schema, so runs on a shared server never see each other's rows. Thread-safe.
 */
final class TestDatabase {
    static final String URL_VARIABLE = "LOCKKIT_POSTGRES_URL";
    static final String TESTCONTAINERS_VARIABLE = "LOCKKIT_TESTCONTAINERS";

    private static volatile String url;
    /** The embedded server, when the tests started one (null for an external one). */
    private static EmbeddedPostgres embedded;

    private static Path embeddedData;

    private TestDatabase() {}

    /** The JDBC URL of the server. */
    static synchronized String url() {
        if (url == null) {
            String configured = System.getenv(URL_VARIABLE);
            if (configured != null && !configured.isBlank()) {
                url = configured.trim();
            } else if ("true".equalsIgnoreCase(System.getenv(TESTCONTAINERS_VARIABLE))) {
                url = startContainer();
            } else {
                url = startEmbedded();
            }
        }
        return url;
    }

    /** A plain DataSource whose sessions show {@code applicationName} in {@code pg_stat_activity}. */
    static PGSimpleDataSource dataSource(String applicationName) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url());
        ds.setApplicationName(applicationName);
        ds.setConnectTimeout(5);
        return ds;
    }

    /** A DataSource for an address where nothing listens (E2). */
    static PGSimpleDataSource unreachable() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {closedPort()});
        ds.setDatabaseName("none");
        ds.setUser("none");
        ds.setConnectTimeout(1);
        ds.setLoginTimeout(1);
        return ds;
    }

    /** A new schema's name; {@link #dropSchema} removes it. */
    static String newSchema() {
        String schema =
                "lockkit_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE SCHEMA " + schema);
        return schema;
    }

    static void dropSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    /** Table names inside {@code schema}. */
    static TableNames tables(String schema) {
        TableNames d = TableNames.DEFAULT;
        return new TableNames(
                schema + "." + d.lockTable(),
                schema + "." + d.rowLockTable(),
                schema + "." + d.versionedTable(),
                schema + "." + d.tokenSequence());
    }

    /**
     * Ends every session whose application name is {@code applicationName} and waits until they are
     * gone, so the caller's next step sees the store as it is afterwards.
     */
    static void terminate(String applicationName) {
        try (Connection c = dataSource("lockkit-test-admin").getConnection()) {
            Array pids;
            // Materialized first: the filter MUST run before pg_terminate_backend sees any pid.
            try (var ps = c.prepareStatement(
                    "WITH victims AS MATERIALIZED (SELECT pid FROM pg_stat_activity"
                            + " WHERE application_name = ?) SELECT array_agg(pid) FROM victims WHERE pg_terminate_backend(pid)")) {
                ps.setString(1, applicationName);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    pids = rs.getArray(1);
                }
            }
            if (pids == null) {
                return;
            }
            long until = System.nanoTime() + 10_000_000_000L;
            try (var ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(?)")) {
                ps.setArray(1, pids);
                while (System.nanoTime() < until) {
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == 0) {
                            return;
                        }
                    }
                    sleep(5);
                }
            }
            throw new IllegalStateException("sessions of " + applicationName + " still exist after 10 s");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits, up to {@code atMost}, until no session of {@code applicationName} holds an advisory
     * lock or idles in a transaction: that is, until the server's idle timeouts have ended its lease
     * sessions by themselves.
     */
    static void awaitLeaseSessionsEnded(String applicationName, Duration atMost) {
        String sql = "SELECT count(*) FROM pg_stat_activity a WHERE application_name = ? AND (state = 'idle in"
                + " transaction' OR EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory'))";
        long until = System.nanoTime() + atMost.toNanos();
        try (Connection c = dataSource("lockkit-test-admin").getConnection();
                var ps = c.prepareStatement(sql)) {
            ps.setString(1, applicationName);
            while (System.nanoTime() < until) {
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
                sleep(20);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("the server had not ended the lease sessions of " + applicationName + " after "
                + atMost + ": is the idle timeout set?");
    }

    static void execute(String sql) {
        try (Connection c = dataSource("lockkit-test-admin").getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /**
     * The embedded server, on a data directory of its own that outlives a {@link #restart()} and is
     * deleted when the JVM exits.
     */
    private static String startEmbedded() {
        try {
            embeddedData = Files.createTempDirectory("lockkit-pg-");
            embedded = embeddedBuilder(0).start();
            Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::stopEmbedded));
            return embedded.getJdbcUrl("postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL; set " + URL_VARIABLE, e);
        }
    }

    private static EmbeddedPostgres.Builder embeddedBuilder(int port) {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "300")
                .setDataDirectory(embeddedData)
                .setCleanDataDirectory(false);
        return port == 0 ? builder : builder.setPort(port);
    }

    /** Whether {@link #restart()} can restart the server: only the embedded one. */
    static synchronized boolean canRestart() {
        url();
        return embedded != null;
    }

    /**
     * Stops the embedded server ({@code pg_ctl stop -m fast}: sessions end, committed data stays)
     * and starts it again on the same port and data directory; returns once it accepts connections.
     */
    static synchronized void restart() {
        if (!canRestart()) {
            throw new UnsupportedOperationException("the tests run on an external server (" + URL_VARIABLE + " or"
                    + " Testcontainers), which they cannot restart");
        }
        int port = embedded.getPort();
        try {
            embedded.close();
            embedded = embeddedBuilder(port).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart the embedded PostgreSQL", e);
        }
    }

    private static synchronized void stopEmbedded() {
        try {
            if (embedded != null) {
                embedded.close();
            }
            try (var files = Files.walk(embeddedData)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException | RuntimeException e) {
            // the JVM is exiting
        }
    }

    private static String startContainer() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException(
                    "Docker is not available, but " + TESTCONTAINERS_VARIABLE + "=true asks for a Testcontainers"
                            + " PostgreSQL: start Docker, or unset " + TESTCONTAINERS_VARIABLE);
        }
        PostgreSQLContainer<?> pg =
                new PostgreSQLContainer<>("postgres:15").withCommand("postgres", "-c", "max_connections=300");
        pg.start();
        Runtime.getRuntime().addShutdownHook(new Thread(pg::stop));
        return "jdbc:postgresql://" + pg.getHost() + ":" + pg.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT) + "/"
                + pg.getDatabaseName() + "?user=" + pg.getUsername() + "&password=" + pg.getPassword();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
