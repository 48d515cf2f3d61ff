package io.lockkit.testkit.postgresql;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.RowHold;
import io.lockkit.tck.harness.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.postgresql.Driver;

/**
 * One PostgreSQL store for the TCK: a schema of its own on {@link PostgresTestServer}, clients of
 * one variant ({@code table}, {@code advisory}, {@code rowlock}) opened with {@code LockKit.open}
 * (so the PostgreSQL backend must be on the class path), each talking through a {@link TcpProxy}
 * of its own (so lost and late replies hit that client only), and faults done on the server with
 * {@code pg_terminate_backend} on the sessions of the client's application name. The store restart
 * stops and starts the embedded server on its port and data directory; an external server ({@code
 * LOCKKIT_POSTGRES_URL}, Testcontainers) cannot be restarted by the tests, so that fault is then
 * not offered. Proxied clients use a network timeout of {@link #TIMEOUT}, so a lost reply is
 * noticed quickly; the race comparison's clients connect straight with the defaults. Thread-safe.
 */
public final class PostgresTarget implements TckTarget, StoreFaults {
    /** The clients' network, connect and login timeout. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The clients hold several leases at once; their connections are their own, so nothing else needs a share. */
    public static final int CONNECTIONS = 10;

    private static final AtomicInteger CLIENTS = new AtomicInteger();

    /** One client's wiring; no proxy when the target connects straight. */
    private record Client(String applicationName, @Nullable TcpProxy proxy) {}

    private final String variant;
    private final boolean proxied;
    private final String schema = PostgresTestServer.newSchema();
    private final Map<Backend, Client> clients = new ConcurrentHashMap<>();

    /** The TCK's target: every client through a proxy of its own, with short timeouts. */
    public PostgresTarget(String variant) {
        this(variant, true);
    }

    /**
     * @param variant {@code table}, {@code advisory} or {@code rowlock}
     * @param proxied false for clients connected straight to the server with the default timeouts
     *     (the race comparison times handoffs against peers that have no proxy); then the lost and
     *     late replies are not offered
     */
    public PostgresTarget(String variant, boolean proxied) {
        this.variant = variant.toLowerCase(Locale.ROOT);
        this.proxied = proxied;
        Map<String, String> setup = options();
        setup.put("createSchema", "true");
        LockKit.open(PostgresTestServer.jdbcUrl("lockkit-tck-setup"), setup).close();
    }

    @Override
    public String name() {
        return "postgresql/" + variant;
    }

    @Override
    public Backend newClient() {
        String applicationName = schema + "-" + CLIENTS.incrementAndGet();
        String url = PostgresTestServer.jdbcUrl(applicationName);
        if (!proxied) {
            Backend client = LockKit.open(url, options());
            clients.put(client, new Client(applicationName, null));
            return client;
        }
        Properties server = Driver.parseURL(url, null);
        if (server == null) {
            throw new IllegalStateException("not a JDBC URL of PostgreSQL (its credentials not shown)");
        }
        TcpProxy proxy;
        try {
            proxy = new TcpProxy(
                    server.getProperty("PGHOST").split(",")[0],
                    Integer.parseInt(server.getProperty("PGPORT").split(",")[0]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // until lockkit sets its network timeout on the connection
        String viaProxy = url.replaceFirst("^(jdbc:postgresql://)[^/?]*", "$1127.0.0.1:" + proxy.port())
                + "&socketTimeout=" + TIMEOUT.toSeconds();
        Map<String, String> options = options();
        options.put("connectTimeout", TIMEOUT.toSeconds() + "s");
        options.put("networkTimeout", TIMEOUT.toSeconds() + "s");
        Backend client = LockKit.open(viaProxy, options);
        clients.put(client, new Client(applicationName, proxy));
        return client;
    }

    /**
     * The session variants pin a connection per lease: all but the ones the client keeps (one connection listens for releases and one is kept for statements).
     */
    @Override
    public OptionalInt leasesPerClient() {
        return variant.equals("table") ? OptionalInt.empty() : OptionalInt.of(CONNECTIONS - 2);
    }

    @Override
    public StoreFaults faults() {
        return this;
    }

    /**
     * Session variants: nothing is done to the server; the holder stays silent and this waits until
     * the server's own idle timeout (the lease) has ended its lease sessions, so scenario 8 runs
     * through the real expiry path. The table variant has no session to expire: its connections are
     * ended, which timed leases survive.
     */
    @Override
    public void expireSession(Backend client) {
        if (variant.equals("table")) {
            PostgresTestServer.terminate(client(client).applicationName());
        } else {
            PostgresTestServer.awaitLeaseSessionsEnded(client(client).applicationName(), Duration.ofSeconds(60));
        }
    }

    @Override
    public void killConnection(Backend client) {
        PostgresTestServer.terminate(client(client).applicationName());
    }

    /** A crashed process's connections close with it: the server ends its sessions; timed leases stay. */
    @Override
    public void crash(Backend client) {
        PostgresTestServer.terminate(client(client).applicationName());
    }

    /**
     * All four for the TCK. PostgreSQL is durable: timed leases, values, versions, fences and the
     * token sequence are committed to its write-ahead log, so they survive a restart (the
     * capabilities {@code FENCING_SURVIVES_STORE_RESTART} and {@code DATA_SURVIVES_STORE_RESTART});
     * session leases end with their sessions. No restart on an external server ({@code
     * LOCKKIT_POSTGRES_URL}, Testcontainers): the tests cannot restart it. No lost or late replies
     * without the proxies.
     */
    @Override
    public Set<Fault> supported() {
        boolean embedded = PostgresTestServer.canRestart();
        Set<Fault> faults = java.util.EnumSet.noneOf(Fault.class);
        faults.addAll(StoreFaults.optionalFaults(proxied, embedded, embedded));
        faults.add(Fault.SILENT_STORE);
        if (variant.equals("table")) {
            faults.add(Fault.HOLD_KEY); // an acquire waits on the key's row (its upsert's conflict branch)
        }
        return faults;
    }

    /** The table variant's row of {@code key}, held by a transaction of its own. */
    @Override
    public HeldKey holdKey(String key) {
        if (!variant.equals("table")) {
            throw new UnsupportedOperationException("only the table variant waits on a key's row");
        }
        return RowHold.hold(
                () -> PostgresTestServer.dataSource(schema + "-hold").getConnection(),
                "SELECT 1 FROM " + schema + ".lockkit_lock WHERE key = ? FOR UPDATE",
                key,
                "SELECT pg_backend_pid()",
                "SELECT count(*) FROM pg_stat_activity WHERE ?::int = ANY(pg_blocking_pids(pid))");
    }

    @Override
    public Heal loseReplies(Backend client) {
        return proxy(client).losingReplies();
    }

    @Override
    public Heal delayReplies(Backend client, Duration delay) {
        return proxy(client).delayingReplies(delay);
    }

    private TcpProxy proxy(Backend client) {
        TcpProxy proxy = client(client).proxy();
        if (proxy == null) {
            throw new UnsupportedOperationException("this target connects its clients straight: no proxy");
        }
        return proxy;
    }

    @Override
    public void restartStore() {
        PostgresTestServer.restart();
    }

    /** Every process of the embedded server gets SIGKILL ({@link PostgresTestServer#crash()}). */
    @Override
    public void crashStore() {
        PostgresTestServer.crash();
    }

    @Override
    public Backend unreachableClient() {
        Map<String, String> options = options();
        options.put("connectTimeout", "1s");
        options.put("connectionWait", "1s");
        options.put("networkTimeout", "1s");
        return LockKit.open(PostgresTestServer.unreachableUrl(), options);
    }

    /**
     * As {@link #unreachableClient()}, at the kit's listener that never answers, with the timeouts
     * given as lockkit's options only (none in the URL): the driver's own would hide a missing bound.
     */
    @Override
    public Backend silentStoreClient(int port) {
        Map<String, String> options = options();
        options.put("connectTimeout", "1s");
        options.put("connectionWait", "1s");
        options.put("networkTimeout", "1s");
        return LockKit.open("jdbc:postgresql://127.0.0.1:" + port + "/none?user=none", options);
    }

    @Override
    public void close() {
        clients.forEach((backend, wiring) -> {
            backend.close();
            TcpProxy proxy = wiring.proxy();
            if (proxy != null) {
                proxy.close();
            }
        });
        PostgresTestServer.dropSchema(schema);
    }

    private Map<String, String> options() {
        Map<String, String> options = PostgresTestServer.clientOptions(variant, schema);
        options.put("maxConnections", Integer.toString(CONNECTIONS));
        return options;
    }

    private Client client(Backend client) {
        Client wiring = clients.get(client);
        if (wiring == null) {
            throw new IllegalArgumentException("not a client of this target: " + client.name());
        }
        return wiring;
    }
}
