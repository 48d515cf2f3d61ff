package io.lockkit.mariadb.internal;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import io.lockkit.jdbc.internal.DriverDataSource;
import io.lockkit.jdbc.internal.UriOptions;
import io.lockkit.mariadb.MariaDbBackend;
import io.lockkit.spi.BackendProvider;
import io.lockkit.spi.Options;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.Driver;

/**
 * {@code jdbc:mariadb://host[:port]/db[?parameters]} or {@code
 * mariadb://[user[:password]@]host[:port][/db][?parameters]}: a {@link MariaDbBackend} over a plain
 * (unpooled) DataSource of MariaDB Connector/J; lockkit pools its own connections. Options ({@link
 * #OPTIONS}): {@code variant} ({@code table}, {@code advisory} or {@code rowlock}), {@code createSchema} ({@code true}/{@code false}), the
 * names, the timeouts and the pool size of {@link MariaDbBackend.Builder}, and {@code connectTimeout};
 * each may be given in the URI's query or in the options map (given in both, the values must agree).
 * The query's other parameters must be Connector/J's own connection options ({@link MariaDbUri}),
 * which go to the driver; anything else is refused by name, before anything is opened. Credentials
 * (user info, {@code user}, {@code password}) may hold any character, raw or percent-encoded; they
 * never appear in a message, and the driver never gets them in its URL.
 */
public final class MariaDbBackendProvider implements BackendProvider {
    /** How long opening a connection may take unless the URI says otherwise (E2). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The most connections a client opened from a URI holds at once: they are lockkit's own (no
     * application shares them), so more than {@link MariaDbBackend#DEFAULT_MAX_CONNECTIONS}.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 10;

    /**
     * Every option {@link #open} reads, in the URI's query or the options map. A query parameter of
     * one of these names is lockkit's even where Connector/J has an option of that name ({@code
     * connectTimeout}, which lockkit passes on to the driver). {@code MariaDbProviderOptionsTest}
     * checks that this list is what {@code open} reads, and that the README documents each.
     */
    public static final List<String> OPTIONS = List.of(
            "variant",
            "createSchema",
            "lockTable",
            "tokenSequence",
            "versionedTable",
            "maxConnections",
            "connectTimeout",
            "connectionWait",
            "networkTimeout",
            "pollInterval",
            "driftMargin");

    /** How the URI's query and the options map are merged; Connector/J reads a bare {@code connectTimeout} in ms. */
    private static final UriOptions MERGE = new UriOptions(
            OPTIONS, "a MariaDB Connector/J connection option", name -> MariaDbUri.driverName(name) != null, "ms");

    /** The variants this provider opens. */
    private enum Variant {
        TABLE,
        ADVISORY,
        ROWLOCK
    }

    private enum Flag {
        TRUE,
        FALSE
    }

    @Override
    public String name() {
        return "mariadb";
    }

    @Override
    public Set<String> uriPrefixes() {
        return Set.of(MariaDbUri.JDBC, MariaDbUri.URL);
    }

    /**
     * @throws IllegalArgumentException when the URI is malformed, or an option (in its query or the
     *     map) or a driver option's value is unknown or bad, naming each; nothing is opened then
     * @throws LockKitException when {@code createSchema} is false and the database lacks what the
     *     client needs, saying how to create it
     */
    @Override
    public Backend open(String uri, Map<String, String> options) {
        requireDriver();
        MariaDbUri parsed = MariaDbUri.parse(uri, OPTIONS);
        List<String> uriProblems = new ArrayList<>(parsed.problems());
        Options o = new Options("mariadb", MERGE.merge(parsed.options(), options, uriProblems));
        Variant variant = o.choice("variant", Variant.class, Variant.TABLE);
        Flag createSchema = o.choice("createSchema", Flag.class, Flag.FALSE);
        String lockTable = o.string("lockTable", MariaDbBackend.DEFAULT_LOCK_TABLE);
        String tokenSequence = o.string("tokenSequence", MariaDbBackend.DEFAULT_TOKEN_SEQUENCE);
        String versionedTable = o.string("versionedTable", MariaDbBackend.DEFAULT_VERSIONED_TABLE);
        int maxConnections = o.integer("maxConnections", DEFAULT_MAX_CONNECTIONS, 2, 10_000);
        Duration connectTimeout = o.duration("connectTimeout", DEFAULT_CONNECT_TIMEOUT, false);
        Duration connectionWait = o.duration("connectionWait", MariaDbBackend.DEFAULT_CONNECTION_WAIT, false);
        Duration networkTimeout = o.duration("networkTimeout", MariaDbBackend.DEFAULT_NETWORK_TIMEOUT, false);
        Duration pollInterval = o.duration("pollInterval", MariaDbBackend.DEFAULT_POLL_INTERVAL, false);
        Duration driftMargin = o.duration("driftMargin", MariaDbBackend.DEFAULT_DRIFT_MARGIN, true);

        List<String> problems = new ArrayList<>();
        try {
            o.validate();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            if (parsed.options().keySet().stream().anyMatch(name -> !OPTIONS.contains(name))) {
                problems.add("a parameter in the URI's query is a lockkit option (known above) or one of MariaDB"
                        + " Connector/J's connection options (org.mariadb.jdbc.Configuration, such as sslMode or"
                        + " socketTimeout)");
            }
        }
        if (problems.isEmpty() && !uriProblems.isEmpty()) {
            problems.add("bad options for mariadb: " + uriProblems.remove(0));
        }
        problems.addAll(uriProblems);
        Properties properties = properties(parsed, connectTimeout);
        String driverProblem = driverProblem(parsed, properties);
        if (driverProblem != null) {
            problems.add(driverProblem);
        }
        MariaDbBackend backend = null;
        try {
            backend = MariaDbBackend.builder(
                            (DataSource) new DriverDataSource(new Driver(), "MariaDB", parsed.jdbcUrl(), properties))
                    .variant(MariaDbBackend.Variant.valueOf(variant.name()))
                    .lockTable(lockTable)
                    .tokenSequence(tokenSequence)
                    .versionedTable(versionedTable)
                    .maxConnections(maxConnections)
                    .connectionWait(connectionWait)
                    .networkTimeout(networkTimeout)
                    .pollInterval(pollInterval)
                    .driftMargin(driftMargin)
                    .build(); // sends nothing
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty() || backend == null) {
            if (backend != null) {
                backend.close();
            }
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        try {
            if (createSchema == Flag.TRUE) {
                backend.createSchema();
            } else {
                checkSchema(backend);
            }
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    /**
     * Connector/J is an optional dependency of this module (a DataSource the application builds
     * brings it): opening a URI without it is refused by name, not by a {@link NoClassDefFoundError}.
     */
    private static void requireDriver() {
        try {
            Class.forName("org.mariadb.jdbc.Driver", false, MariaDbBackendProvider.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("LockKit.open with a MariaDB URI needs MariaDB Connector/J"
                    + " (org.mariadb.jdbc:mariadb-java-client 3.x) on the class path or module path");
        }
    }

    /**
     * The driver's properties: the credentials, and a connect timeout in milliseconds (lockkit's
     * option: the URI's {@code connectTimeout} never reaches the driver's URL).
     */
    private static Properties properties(MariaDbUri parsed, Duration connectTimeout) {
        Properties properties = new Properties();
        long millis = Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        properties.setProperty("connectTimeout", Long.toString(millis));
        properties.putAll(parsed.credentials());
        return properties;
    }

    /**
     * What Connector/J refuses in the URL and properties (a malformed value of its own options), read
     * without connecting; null when it takes them. Its message is shown without any credential.
     */
    private static String driverProblem(MariaDbUri parsed, Properties properties) {
        try {
            if (Configuration.parse(parsed.jdbcUrl(), properties) != null) {
                return null;
            }
            return "MariaDB Connector/J does not take the URL '" + parsed.jdbcUrl() + "' (its credentials not shown)";
        } catch (SQLException | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            for (String name : parsed.credentials().stringPropertyNames()) {
                String secret = parsed.credentials().getProperty(name);
                if (!name.equals("user") && !secret.isEmpty()) {
                    message = message.replace(secret, "***");
                }
            }
            return "MariaDB Connector/J refuses the URI's connection options: " + message;
        }
    }

    /**
     * Nothing can create what is missing once the backend is returned, so it is refused now; an
     * unreachable server (or one that refuses the login) is no error when opening (E2): each call
     * reports it.
     */
    private static void checkSchema(MariaDbBackend backend) {
        try {
            backend.checkSchema();
        } catch (BackendUnavailableException e) {
            // reported by each call
        }
    }
}
