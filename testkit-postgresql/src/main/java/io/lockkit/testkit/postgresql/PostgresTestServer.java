package io.lockkit.testkit.postgresql;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The PostgreSQL the tests run against: the server named by {@value #URL_VARIABLE} (a JDBC URL)
 * when set, else, when {@code LOCKKIT_TESTCONTAINERS=true}, one Testcontainers {@code postgres:15}
 * per JVM (Docker required), else one embedded server per JVM (zonky), started on first use. Each
 * user gets its own schema ({@link #newSchema()}), so runs on a shared server never see each
 * other's rows. Thread-safe.
 */
public final class PostgresTestServer {
    public static final String URL_VARIABLE = "LOCKKIT_POSTGRES_URL";
    public static final String TESTCONTAINERS_VARIABLE = "LOCKKIT_TESTCONTAINERS";

    /** {@code jdbc:postgresql://hosts}, the database, and the query if any. */
    private static final Pattern URL_PARTS = Pattern.compile("(jdbc:postgresql://[^/?#]*)/([^?#]*)(\\?.*)?");

    private static volatile @Nullable String url;
    /** The embedded server, when the tests started one (null for an external one). */
    private static @Nullable EmbeddedPostgres embedded;

    private static @Nullable Path embeddedData;

    private PostgresTestServer() {}

    /** The JDBC URL of the server (with its user and password), starting the server on first use. */
    public static synchronized String jdbcUrl() {
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

    /** The server's JDBC URL with {@code ApplicationName=applicationName}, so its sessions can be found. */
    public static String jdbcUrl(String applicationName) {
        String url = jdbcUrl();
        return url + (url.contains("?") ? "&" : "?") + "ApplicationName="
                + URLEncoder.encode(applicationName, StandardCharsets.UTF_8);
    }

    /** A JDBC URL of a port where nothing listens, with 1 s connect and socket timeouts (E2). */
    public static String unreachableUrl() {
        return "jdbc:postgresql://127.0.0.1:" + closedPort()
                + "/none?user=none&connectTimeout=1&loginTimeout=1&socketTimeout=1";
    }

    /**
     * The options of a lockkit PostgreSQL client ({@code LockKit.open}) of {@code variant} ({@code
     * table}, {@code advisory}, {@code rowlock}) whose tables, token sequence and notification
     * channel live in {@code schema}; the caller may add more.
     */
    public static Map<String, String> clientOptions(String variant, String schema) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("variant", variant);
        options.put("lockTable", schema + ".lockkit_lock");
        options.put("rowLockTable", schema + ".lockkit_row_lock");
        options.put("versionedTable", schema + ".lockkit_versioned");
        options.put("tokenSequence", schema + ".lockkit_token");
        options.put("namespace", schema);
        return options;
    }

    /** A plain DataSource whose sessions show {@code applicationName} in {@code pg_stat_activity}. */
    public static PGSimpleDataSource dataSource(String applicationName) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl());
        ds.setApplicationName(applicationName);
        ds.setConnectTimeout(5);
        return ds;
    }

    /** A DataSource for an address where nothing listens (E2). */
    public static PGSimpleDataSource unreachable() {
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
    public static String newSchema() {
        String schema =
                "lockkit_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE SCHEMA " + schema);
        return schema;
    }

    public static void dropSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    /**
     * A new, empty database's name (as a new user would find it: nothing of lockkit's in it); {@link
     * #databaseUrl} connects to it, {@link #dropDatabase} removes it. Needs a server where the
     * tests' user may {@code CREATE DATABASE} (the embedded one and Testcontainers' do).
     */
    public static String newDatabase() {
        String database = "lockkit_test_db_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE DATABASE " + database);
        return database;
    }

    /** The server's JDBC URL with {@code database} in place of its database, the rest as it was. */
    public static String databaseUrl(String database) {
        Matcher m = URL_PARTS.matcher(jdbcUrl());
        if (!m.matches()) {
            throw new IllegalStateException("the test server's URL is not jdbc:postgresql://hosts/database[?…]");
        }
        return m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
    }

    /** Drops {@code database}, ending its sessions first. */
    public static void dropDatabase(String database) {
        execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    /**
     * Ends every session whose application name is {@code applicationName} and waits until they are
     * gone, so the caller's next step sees the store as it is afterwards.
     */
    public static void terminate(String applicationName) {
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
    public static void awaitLeaseSessionsEnded(String applicationName, Duration atMost) {
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

    /** Runs one SQL statement on the server, outside any lockkit client. */
    public static void execute(String sql) {
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
            Runtime.getRuntime().addShutdownHook(new Thread(PostgresTestServer::stopEmbedded));
            return embedded.getJdbcUrl("postgres", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL; set " + URL_VARIABLE, e);
        }
    }

    /**
     * zonky's builder turns {@code synchronous_commit} off (a commit returns before its WAL is
     * written out) and starts the server with {@code -F} ({@code fsync} off: nothing ever reaches the
     * disk). The embedded server runs PostgreSQL's defaults instead, {@code synchronous_commit = on}
     * and {@code fsync = on} (a {@code -c} after zonky's {@code -F} wins), as production servers do,
     * so a kill ({@link #crash()}) loses only what a real server would lose, and the benchmarks
     * measure real flushes. {@code TokenDurabilityTest} (backend-jdbc) turns it off for its own
     * sessions to check that lockkit raises it again. The WAL writer, which flushes what commits
     * without waiting leave behind, wakes every 10 s instead of 200 ms, so that a kill right after
     * such a commit loses it every time rather than most times: nothing else changes.
     */
    private static EmbeddedPostgres.Builder embeddedBuilder(int port) {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setServerConfig("max_connections", "300")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("wal_writer_delay", "10s")
                .setDataDirectory(embeddedData)
                .setCleanDataDirectory(false);
        return port == 0 ? builder : builder.setPort(port);
    }

    /** Whether {@link #restart()} and {@link #crash()} can restart the server: only the embedded one. */
    public static synchronized boolean canRestart() {
        jdbcUrl();
        return embedded != null;
    }

    /**
     * Stops the embedded server ({@code pg_ctl stop -m fast}: sessions end, committed data stays)
     * and starts it again on the same port and data directory; returns once it accepts connections.
     */
    public static synchronized void restart() {
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

    /**
     * Kills the embedded server as {@code kill -9} would: every process of it gets
     * SIGKILL at once (the postmaster and all its children, WAL writer included), so WAL still in
     * the server's buffers, written by no one, is lost; then starts it again on the same port and
     * data directory, where it recovers from its WAL, and returns once it accepts connections.
     */
    public static synchronized void crash() {
        if (!canRestart()) {
            throw new UnsupportedOperationException("the tests run on an external server (" + URL_VARIABLE + " or"
                    + " Testcontainers), which they cannot kill");
        }
        int port = embedded.getPort();
        try {
            long pid = Long.parseLong(Files.readAllLines(embeddedData.resolve("postmaster.pid"))
                    .get(0)
                    .strip());
            ProcessHandle postmaster =
                    ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster with pid " + pid));
            // Stopped first, so it forks no child after the list below is taken (a child forked later
            // would outlive the kill and hold the shared memory the restart needs).
            new ProcessBuilder("kill", "-STOP", Long.toString(pid))
                    .inheritIO()
                    .start()
                    .waitFor();
            List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
            all.add(postmaster);
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : all) {
                p.onExit().get(30, TimeUnit.SECONDS);
            }
            embedded.close(); // its pg_ctl stop finds no server (logged); releases the data directory lock
            embedded = embeddedBuilder(port).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot kill and start the embedded PostgreSQL", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot kill and start the embedded PostgreSQL", e);
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
