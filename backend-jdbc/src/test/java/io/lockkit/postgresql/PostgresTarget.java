package io.lockkit.postgresql;

import io.lockkit.Backend;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One PostgreSQL store for the TCK: a schema of its own on {@link TestDatabase}, clients of one
 * {@link Variant}, each talking through a {@link TcpProxy} of its own (so lost and late replies hit
 * that client only), and faults done on the server with {@code pg_terminate_backend} on the
 * sessions of the client's application name. The store restart stops and starts the embedded
 * server on its port and data directory; an external server ({@code LOCKKIT_POSTGRES_URL},
 * Testcontainers) cannot be restarted by the tests, so that fault is then not offered. Proxied
 * clients use a network timeout of {@link #TIMEOUT}, so a lost reply is noticed quickly; the race
 * comparison's clients connect straight with the defaults. Thread-safe.
 */
final class PostgresTarget implements TckTarget, StoreFaults {
    /** The clients' network, connect and login timeout. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static final AtomicInteger CLIENTS = new AtomicInteger();

    /** One client's wiring; no proxy when the target connects straight. */
    private record Client(String applicationName, @Nullable TcpProxy proxy) {}

    private final Variant variant;
    private final boolean proxied;
    private final String schema = TestDatabase.newSchema();
    private final TableNames tables = TestDatabase.tables(schema);
    private final Map<Backend, Client> clients = new ConcurrentHashMap<>();

    /** The TCK's target: every client through a proxy of its own, with short timeouts. */
    PostgresTarget(Variant variant) {
        this(variant, true);
    }

    /**
     * @param proxied false for clients connected straight to the server with the default timeouts
     *     (the race comparison times handoffs against peers that have no proxy); then the lost and
     *     late replies are not offered
     */
    PostgresTarget(Variant variant, boolean proxied) {
        this.variant = variant;
        this.proxied = proxied;
        try (PostgresBackend setup =
                builder(TestDatabase.dataSource("lockkit-tck-setup")).build()) {
            setup.createSchema();
        }
    }

    @Override
    public String name() {
        return "postgresql/" + variant.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Backend newClient() {
        String applicationName = schema + "-" + CLIENTS.incrementAndGet();
        PGSimpleDataSource ds = TestDatabase.dataSource(applicationName);
        if (!proxied) {
            PostgresBackend client = builder(ds).build();
            clients.put(client, new Client(applicationName, null));
            return client;
        }
        TcpProxy proxy;
        try {
            proxy = new TcpProxy(ds.getServerNames()[0], ds.getPortNumbers()[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {proxy.port()});
        int seconds = (int) TIMEOUT.toSeconds();
        ds.setSocketTimeout(seconds); // until lockkit sets its network timeout on the connection
        ds.setConnectTimeout(seconds);
        ds.setLoginTimeout(seconds);
        PostgresBackend client = builder(ds).networkTimeout(TIMEOUT).build();
        clients.put(client, new Client(applicationName, proxy));
        return client;
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
        if (variant == Variant.TABLE) {
            TestDatabase.terminate(client(client).applicationName());
        } else {
            TestDatabase.awaitLeaseSessionsEnded(client(client).applicationName(), Duration.ofSeconds(60));
        }
    }

    @Override
    public void killConnection(Backend client) {
        TestDatabase.terminate(client(client).applicationName());
    }

    /** A crashed process's connections close with it: the server ends its sessions; timed leases stay. */
    @Override
    public void crash(Backend client) {
        TestDatabase.terminate(client(client).applicationName());
    }

    /**
     * All three for the TCK. PostgreSQL is durable: timed leases, values, versions, fences and the
     * token sequence are committed to its write-ahead log, so they survive a restart (the
     * capabilities {@code FENCING_SURVIVES_STORE_RESTART} and {@code DATA_SURVIVES_STORE_RESTART});
     * session leases end with their sessions. No restart on an external server ({@code
     * LOCKKIT_POSTGRES_URL}, Testcontainers): the tests cannot restart it. No lost or late replies
     * without the proxies.
     */
    @Override
    public Set<Fault> supported() {
        return StoreFaults.optionalFaults(proxied, TestDatabase.canRestart());
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
        TestDatabase.restart();
    }

    @Override
    public Backend unreachableClient() {
        return PostgresBackend.builder(TestDatabase.unreachable())
                .variant(variant)
                .tables(tables)
                .connectionWait(Duration.ofSeconds(1))
                .networkTimeout(Duration.ofSeconds(1))
                .build();
    }

    @Override
    public void close() {
        clients.forEach((backend, wiring) -> {
            backend.close();
            if (wiring.proxy() != null) {
                wiring.proxy().close();
            }
        });
        TestDatabase.dropSchema(schema);
    }

    private PostgresBackend.Builder builder(PGSimpleDataSource ds) {
        return PostgresBackend.builder(ds)
                .variant(variant)
                .tables(tables)
                .namespace(schema)
                .maxConnections(Fixture.CONNECTIONS);
    }

    private Client client(Backend client) {
        Client wiring = clients.get(client);
        if (wiring == null) {
            throw new IllegalArgumentException("not a client of this target: " + client.name());
        }
        return wiring;
    }
}
