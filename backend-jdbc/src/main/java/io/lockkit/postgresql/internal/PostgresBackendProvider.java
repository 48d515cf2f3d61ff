package io.lockkit.postgresql.internal;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import io.lockkit.jdbc.internal.DriverDataSource;
import io.lockkit.jdbc.internal.UriOptions;
import io.lockkit.postgresql.PostgresBackend;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.postgresql.TableNames;
import io.lockkit.spi.BackendProvider;
import io.lockkit.spi.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.sql.DataSource;
import org.postgresql.Driver;
import org.postgresql.PGProperty;

/**
 * {@code jdbc:postgresql://host[:port]/db[?parameters]} or {@code
 * postgresql://[user[:password]@]host[:port][/db][?parameters]}: a {@link PostgresBackend} over a
 * plain (unpooled) DataSource of the driver; lockkit pools its own connections. Options ({@link
 * #OPTIONS}): {@code variant} ({@code table}, {@code advisory}, {@code rowlock}), {@code
 * createSchema} ({@code true}/{@code false}), the table names, the timeouts and the pool size of
 * {@link PostgresBackend.Builder}, and {@code connectTimeout}; each may be given in the URI's query or
 * in the options map (given in both, the values must agree). The query's other parameters must be
 * pgjdbc's own connection properties ({@link PGProperty}), which go to the driver; anything else is
 * refused by name, before anything is opened. Credentials (user info, {@code password}, {@code
 * sslpassword}) may hold any character, raw or percent-encoded; they never appear in a message, and
 * the driver never gets them in the URL it logs ({@link PgUri}).
 */
public final class PostgresBackendProvider implements BackendProvider {
    /** How long opening a connection may take unless the URI says otherwise (E2). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The most connections a client opened from a URI holds at once: they are lockkit's own (no
     * application shares them), so more than {@link PostgresBackend#DEFAULT_MAX_CONNECTIONS}.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 10;

    /**
     * Every option {@link #open} reads, in the URI's query or the options map. A query parameter of
     * one of these names is lockkit's even where pgjdbc has a property of that name ({@code
     * connectTimeout}, which lockkit passes on to the driver). {@code ProviderOptionsTest} checks
     * that this list is what {@code open} reads, and that the README documents each.
     */
    public static final List<String> OPTIONS = List.of(
            "variant",
            "createSchema",
            "lockTable",
            "rowLockTable",
            "versionedTable",
            "tokenSequence",
            "namespace",
            "maxConnections",
            "connectTimeout",
            "connectionWait",
            "networkTimeout",
            "waitFallback",
            "sessionCheck",
            "driftMargin");

    private static final Driver DRIVER = new Driver();
    private static final String JDBC = "jdbc:postgresql:";
    private static final String LIBPQ = "postgresql://";
    /** How the URI's query and the options map are merged; pgjdbc reads a bare {@code connectTimeout} in seconds. */
    private static final UriOptions MERGE =
            new UriOptions(OPTIONS, "a pgjdbc connection property", name -> PGProperty.forName(name) != null, "s");

    private enum Flag {
        TRUE,
        FALSE
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public Set<String> uriPrefixes() {
        return Set.of(JDBC, LIBPQ);
    }

    /**
     * @throws IllegalArgumentException when the URI is malformed, or an option (in its query or the
     *     map) is unknown or bad, naming each; nothing is opened then
     * @throws LockKitException when {@code createSchema} is false and the database lacks what the
     *     variant needs, saying how to create it
     */
    @Override
    public Backend open(String uri, Map<String, String> options) {
        PgUri parsed = PgUri.parse(uri, OPTIONS);
        List<String> problems = new ArrayList<>(parsed.problems());
        Options o = new Options("postgresql", MERGE.merge(parsed.options(), options, problems));
        Variant variant = o.choice("variant", Variant.class, PostgresBackend.DEFAULT_VARIANT);
        Flag createSchema = o.choice("createSchema", Flag.class, Flag.FALSE);
        TableNames d = TableNames.DEFAULT;
        String lockTable = o.string("lockTable", d.lockTable());
        String rowLockTable = o.string("rowLockTable", d.rowLockTable());
        String versionedTable = o.string("versionedTable", d.versionedTable());
        String tokenSequence = o.string("tokenSequence", d.tokenSequence());
        String namespace = o.string("namespace", PostgresBackend.DEFAULT_NAMESPACE);
        int maxConnections = o.integer("maxConnections", DEFAULT_MAX_CONNECTIONS, 2, 10_000);
        Duration connectTimeout = o.duration("connectTimeout", DEFAULT_CONNECT_TIMEOUT, false);
        Duration connectionWait = o.duration("connectionWait", PostgresBackend.DEFAULT_CONNECTION_WAIT, false);
        Duration networkTimeout = o.duration("networkTimeout", PostgresBackend.DEFAULT_NETWORK_TIMEOUT, false);
        Duration waitFallback = o.duration("waitFallback", PostgresBackend.DEFAULT_WAIT_FALLBACK, false);
        Duration sessionCheck = o.duration("sessionCheck", PostgresBackend.DEFAULT_SESSION_CHECK, false);
        Duration driftMargin = o.duration("driftMargin", PostgresBackend.DEFAULT_DRIFT_MARGIN, true);
        boolean unknownInUri = parsed.options().keySet().stream().anyMatch(name -> !OPTIONS.contains(name));
        TableNames tables = validate(o, problems, unknownInUri, lockTable, rowLockTable, versionedTable, tokenSequence);

        PostgresBackend backend = PostgresBackend.builder(dataSource(parsed, connectTimeout))
                .variant(variant)
                .tables(tables)
                .maxConnections(maxConnections)
                .connectionWait(connectionWait)
                .networkTimeout(networkTimeout)
                .waitFallback(waitFallback)
                .sessionCheck(sessionCheck)
                .driftMargin(driftMargin)
                .namespace(namespace)
                .build();
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
     * Nothing can create what is missing once the backend is returned, so it is refused now; an
     * unreachable server is no error when opening (E2): each call reports it, checking the schema first.
     */
    private static void checkSchema(PostgresBackend backend) {
        try {
            backend.checkSchema();
        } catch (BackendUnavailableException e) {
            // checked by the first call
        }
    }

    /**
     * Reports the URI's parameter problems, bad and unknown option values and bad table names
     * together (E1).
     */
    private static TableNames validate(
            Options o,
            List<String> uriProblems,
            boolean unknownInUri,
            String lock,
            String rowLock,
            String versioned,
            String sequence) {
        List<String> problems = new ArrayList<>();
        try {
            o.validate();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            if (unknownInUri) {
                problems.add("a parameter in the URI's query is a lockkit option (known above) or one of pgjdbc's"
                        + " connection properties (org.postgresql.PGProperty, such as sslmode or ApplicationName)");
            }
        }
        if (problems.isEmpty() && !uriProblems.isEmpty()) {
            problems.add("bad options for postgresql: " + uriProblems.remove(0));
        }
        problems.addAll(uriProblems);
        TableNames tables = null;
        try {
            tables = new TableNames(lock, rowLock, versioned, sequence);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty() || tables == null) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return tables;
    }

    /**
     * A plain (unpooled) DataSource for the URI, with a connect timeout and an application name
     * unless the URI sets them. The URI is taken apart by structure ({@link PgUri}): the driver gets
     * the URL without credentials, which travel as properties.
     */
    static DataSource dataSource(PgUri parsed, Duration connectTimeout) {
        if (Driver.parseURL(parsed.jdbcUrl(), null) == null) { // it holds no credential: the driver may log it
            throw new IllegalArgumentException(
                    "not a PostgreSQL URI: the driver refuses '" + parsed.jdbcUrl() + "' (its credentials not shown)");
        }
        Properties properties = new Properties();
        int seconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (connectTimeout.toMillis() + 999) / 1000));
        properties.setProperty("connectTimeout", Integer.toString(seconds));
        properties.setProperty("loginTimeout", Integer.toString(seconds)); // the URI's own wins
        properties.setProperty("ApplicationName", "lockkit"); // the URI's own wins
        properties.putAll(parsed.credentials());
        return new DriverDataSource(DRIVER, "PostgreSQL", parsed.jdbcUrl(), properties);
    }
}
