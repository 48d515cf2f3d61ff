package io.lockkit.peers.internal;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.postgresql.PostgresTestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

/**
 * The PostgreSQL side of the peers: the test server's URL ({@link PostgresTestServer}), a fresh
 * schema per target, lockkit's own backend on it, and {@code pg_terminate_backend} by application
 * name. Stateless; thread-safe.
 */
public final class Pg {
    private static final String ADMIN = "lockkit-peers-admin";

    private Pg() {}

    /** A new schema {@code peers_<random>} on the test server. */
    public static String newSchema() {
        String schema = "peers_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        PostgresTestServer.execute("CREATE SCHEMA " + schema);
        return schema;
    }

    public static void dropSchema(String schema) {
        PostgresTestServer.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    public static void execute(String sql) {
        PostgresTestServer.execute(sql);
    }

    /** The test server's JDBC URL with {@code ApplicationName=applicationName}, so its sessions can be found. */
    public static String url(String applicationName) {
        return withParameter(PostgresTestServer.jdbcUrl(), "ApplicationName", applicationName);
    }

    /** A JDBC URL of a port where nothing listens, with 1 s connect and socket timeouts (E2). */
    public static String unreachableUrl() {
        return "jdbc:postgresql://127.0.0.1:" + Ports.closed()
                + "/none?user=none&connectTimeout=1&loginTimeout=1&socketTimeout=1";
    }

    /**
     * lockkit's own PostgreSQL backend in {@code schema}: {@code variant} ({@code table}, {@code
     * advisory}, {@code row_lock}), its tables created when {@code create}.
     */
    public static Backend lockkit(String url, String schema, String variant, boolean create, boolean unreachable) {
        Map<String, String> options = new HashMap<>();
        options.put("variant", variant);
        options.put("namespace", schema);
        options.put("createSchema", create ? "true" : "false");
        options.put("lockTable", schema + ".lockkit_lock");
        options.put("rowLockTable", schema + ".lockkit_row_lock");
        options.put("versionedTable", schema + ".lockkit_versioned");
        options.put("tokenSequence", schema + ".lockkit_token");
        if (unreachable) {
            options.put("connectTimeout", "1s");
            options.put("connectionWait", "1s");
            options.put("networkTimeout", "1s");
        }
        return LockKit.open(url, options);
    }

    /**
     * Ends every session whose application name is {@code applicationName}, as the server does when
     * a connection drops, and waits (up to 10 s) until those sessions are gone. A pool may open new
     * sessions with the same name meanwhile; those are not waited for.
     */
    public static void terminate(String applicationName) {
        try (Connection c = DriverManager.getConnection(url(ADMIN))) {
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
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            try (var ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(?)")) {
                ps.setArray(1, pids);
                while (true) {
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == 0) {
                            return;
                        }
                    }
                    if (System.nanoTime() - until > 0) {
                        throw new IllegalStateException("sessions of " + applicationName + " still exist after 10 s");
                    }
                    LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not terminate the sessions of " + applicationName + ": " + e, e);
        }
    }

    private static String withParameter(String url, String name, String value) {
        return url + (url.contains("?") ? "&" : "?") + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
