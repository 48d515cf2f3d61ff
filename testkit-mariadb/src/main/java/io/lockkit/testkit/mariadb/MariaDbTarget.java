package io.lockkit.testkit.mariadb;

import io.lockkit.Backend;
import io.lockkit.LockKit;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.RowHold;
import io.lockkit.tck.harness.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One MariaDB store for the TCK: a database of its own on {@link MariaDbTestServer} that holds
 * lockkit's tables and token sequence, and clients of one variant ({@code table}, {@code advisory} or {@code rowlock}) opened by the
 * test's {@link Opener} ({@code LockKit.open} by default), each talking through a {@link TcpProxy} of its own (so lost and late
 * replies hit that client only). Each client connects to an empty database of its own and names
 * the store's tables in full ({@code db.lockkit_lock}): that is how the faults find its sessions on
 * the server ({@code information_schema.PROCESSLIST}) and end them with {@code KILL CONNECTION}. The
 * store restart and crash stop and start, or kill and start, the embedded server on its port and
 * data directory; an external server ({@code LOCKKIT_MARIADB_URL}, Testcontainers) cannot be
 * restarted by the tests, so those faults are then not offered. Thread-safe.
 */
public final class MariaDbTarget implements TckTarget, StoreFaults {
    /** The clients' network, connect and login timeout. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** The clients hold several leases at once; their connections are their own. */
    public static final int CONNECTIONS = 10;

    /**
     * Opens a lockkit client of the MariaDB backend on {@code jdbcUrl} with {@code options}
     * ({@code variant}, {@code lockTable}, {@code tokenSequence}, {@code versionedTable}, {@code createSchema}, {@code
     * maxConnections}, {@code connectTimeout}, {@code connectionWait}, {@code networkTimeout}; as a
     * {@code LockKit.open} URI's options would be).
     */
    @FunctionalInterface
    public interface Opener {
        Backend open(String jdbcUrl, Map<String, String> options);
    }

    private static final AtomicInteger CLIENTS = new AtomicInteger();

    /** One client's wiring; no proxy when the target connects straight. */
    private record Client(String database, @Nullable TcpProxy proxy) {}

    private final String variant;
    private final boolean proxied;
    private final Opener opener;
    private final String database = MariaDbTestServer.newDatabase();
    private final Map<Backend, Client> clients = new ConcurrentHashMap<>();

    /**
     * The TCK's target with clients opened by {@code LockKit.open} (the MariaDB provider of
     * lockkit-backend-jdbc, which must be on the class path): every client through a proxy of its
     * own, with short timeouts.
     */
    public MariaDbTarget(String variant) {
        this(variant, true, LockKit::open);
    }

    /** The TCK's target: every client through a proxy of its own, with short timeouts. */
    public MariaDbTarget(String variant, Opener opener) {
        this(variant, true, opener);
    }

    /**
     * @param variant {@code table}, {@code advisory} or {@code rowlock}
     * @param proxied false for clients connected straight to the server with the default timeouts;
     *     then the lost and late replies are not offered
     */
    public MariaDbTarget(String variant, boolean proxied, Opener opener) {
        this.variant = variant.toLowerCase(Locale.ROOT);
        this.proxied = proxied;
        this.opener = opener;
        Map<String, String> setup = options();
        setup.put("createSchema", "true");
        opener.open(MariaDbTestServer.databaseUrl(database), setup).close();
    }

    @Override
    public String name() {
        return "mariadb/" + variant;
    }

    @Override
    public Backend newClient() {
        String own = database + "_c" + CLIENTS.incrementAndGet();
        MariaDbTestServer.execute("CREATE DATABASE " + own);
        String url = MariaDbTestServer.databaseUrl(own);
        if (!proxied) {
            Backend client = opener.open(url, options());
            clients.put(client, new Client(own, null));
            return client;
        }
        String[] hostPort = MariaDbTestServer.hostAndPort().split(":");
        TcpProxy proxy;
        try {
            proxy = new TcpProxy(hostPort[0], Integer.parseInt(hostPort[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String viaProxy = url.replaceFirst("^(jdbc:(?:mariadb|mysql)://)[^/?]*", "$1127.0.0.1:" + proxy.port())
                + (url.contains("?") ? "&" : "?") + "socketTimeout=" + TIMEOUT.toMillis();
        Map<String, String> options = options();
        options.put("connectTimeout", TIMEOUT.toSeconds() + "s");
        options.put("networkTimeout", TIMEOUT.toSeconds() + "s");
        Backend client = opener.open(viaProxy, options);
        clients.put(client, new Client(own, proxy));
        return client;
    }

    /**
     * The session variants pin a connection per lease: all but the ones the client keeps (one connection is kept for statements).
     */
    @Override
    public OptionalInt leasesPerClient() {
        return variant.equals("table") ? OptionalInt.empty() : OptionalInt.of(CONNECTIONS - 1);
    }

    @Override
    public StoreFaults faults() {
        return this;
    }

    /**
     * The lock table has no session to expire: the client's connections are ended, which timed leases
     * survive. The advisory variant's sessions are ended by the server itself after their {@code
     * wait_timeout}, the rowlock variant's after their {@code idle_transaction_timeout} (the lease
     * rounded up to whole seconds): this waits for that, so the expiry path is the real one (the
     * client's other connections are left alone).
     */
    @Override
    public void expireSession(Backend client) {
        switch (variant) {
            case "table" -> MariaDbTestServer.killSessionsIn(client(client).database());
            case "rowlock" -> MariaDbTestServer.awaitTransactionsEnded(
                    client(client).database(), Duration.ofSeconds(60));
            default -> MariaDbTestServer.awaitAdvisoryLocksEnded(
                    database + ".lockkit_lock", client(client).database(), Duration.ofSeconds(60));
        }
    }

    @Override
    public void killConnection(Backend client) {
        MariaDbTestServer.killSessionsIn(client(client).database());
    }

    /** A crashed process's connections close with it: the server ends its sessions; timed leases stay. */
    @Override
    public void crash(Backend client) {
        MariaDbTestServer.killSessionsIn(client(client).database());
    }

    /**
     * Lost and late replies through the proxies; restart and crash on the embedded server only.
     * InnoDB is durable (the redo log is flushed at every commit), so timed leases, the token
     * sequence and values survive both. {@code HOLD_KEY} for the lock table only, as on PostgreSQL:
     * the session variants' acquires do not wait on a record that another writer could hold (the
     * rowlock variant's does wait on the key's row, but that row is the lock itself: holding it is
     * holding the key, which the kit's other tests do through a client).
     */
    @Override
    public Set<Fault> supported() {
        boolean embedded = MariaDbTestServer.canRestart();
        Set<Fault> faults = java.util.EnumSet.noneOf(Fault.class);
        faults.addAll(StoreFaults.optionalFaults(proxied, embedded, embedded));
        faults.add(Fault.SILENT_STORE);
        if (variant.equals("table")) {
            faults.add(Fault.HOLD_KEY); // an acquire waits on the key's row (its upsert's update branch)
        }
        return faults;
    }

    /** The lock table's row of {@code key}, held by a transaction of its own. */
    @Override
    public HeldKey holdKey(String key) {
        if (!variant.equals("table")) {
            throw new UnsupportedOperationException("only the table variant waits on a key's row");
        }
        return RowHold.hold(
                () -> java.sql.DriverManager.getConnection(MariaDbTestServer.databaseUrl(database)),
                "SELECT 1 FROM " + database + ".lockkit_lock WHERE lock_key = ? FOR UPDATE",
                key,
                "SELECT CONNECTION_ID()",
                MariaDbTestServer.waitersOn(database + "`.`lockkit_lock"));
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
        MariaDbTestServer.restart();
    }

    /** SIGKILL to the embedded server ({@link MariaDbTestServer#crash()}). */
    @Override
    public void crashStore() {
        MariaDbTestServer.crash();
    }

    @Override
    public Backend unreachableClient() {
        Map<String, String> options = options();
        options.put("connectTimeout", "1s");
        options.put("connectionWait", "1s");
        options.put("networkTimeout", "1s");
        return opener.open(MariaDbTestServer.unreachableUrl(), options);
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
        return opener.open("jdbc:mariadb://127.0.0.1:" + port + "/none?user=none", options);
    }

    @Override
    public void close() {
        clients.forEach((backend, wiring) -> {
            backend.close();
            TcpProxy proxy = wiring.proxy();
            if (proxy != null) {
                proxy.close();
            }
            MariaDbTestServer.dropDatabase(wiring.database());
        });
        MariaDbTestServer.dropDatabase(database);
    }

    private Map<String, String> options() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("variant", variant);
        options.put("lockTable", database + ".lockkit_lock");
        options.put("tokenSequence", database + ".lockkit_token");
        options.put("versionedTable", database + ".lockkit_versioned");
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
