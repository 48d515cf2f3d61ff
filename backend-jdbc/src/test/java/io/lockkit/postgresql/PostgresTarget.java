package io.lockkit.postgresql;

import io.lockkit.Backend;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One PostgreSQL store for the TCK: a schema of its own on {@link TestDatabase}, clients of one
 * {@link Variant}, each talking through a {@link TcpProxy} of its own (so lost and late replies hit
 * that client only), and faults done on the server with {@code pg_terminate_backend} on the
 * sessions of the client's application name. The store restart stops and starts the embedded
 * server on its port and data directory; an external server ({@code LOCKKIT_POSTGRES_URL},
 * Testcontainers) cannot be restarted by the tests, so that fault is then not offered. Clients use a
 * network timeout of {@link #TIMEOUT}, so a lost reply is noticed quickly. Thread-safe.
 */
final class PostgresTarget implements TckTarget, StoreFaults {
    /** The clients' network, connect and login timeout. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static final AtomicInteger CLIENTS = new AtomicInteger();

    /** One client's wiring. */
    private record Client(String applicationName, TcpProxy proxy) {}

    private final Variant variant;
    private final String schema = TestDatabase.newSchema();
    private final TableNames tables = TestDatabase.tables(schema);
    private final Map<Backend, Client> clients = new ConcurrentHashMap<>();

    PostgresTarget(Variant variant) {
        this.variant = variant;
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
     * All three. PostgreSQL is durable: timed leases, values, versions, fences and the token
     * sequence are committed to its write-ahead log, so they survive a restart (the capabilities
     * {@code FENCING_SURVIVES_STORE_RESTART} and {@code DATA_SURVIVES_STORE_RESTART}); session
     * leases end with their sessions. No restart on an external server.
     */
    @Override
    public Set<Fault> supported() {
        return TestDatabase.canRestart()
                ? EnumSet.allOf(Fault.class)
                : EnumSet.of(Fault.LOSE_REPLIES, Fault.DELAY_REPLIES);
    }

    @Override
    public Heal loseReplies(Backend client) {
        TcpProxy proxy = client(client).proxy();
        proxy.loseReplies(true);
        return () -> proxy.loseReplies(false);
    }

    @Override
    public Heal delayReplies(Backend client, Duration delay) {
        TcpProxy proxy = client(client).proxy();
        proxy.delayReplies(delay);
        return () -> proxy.delayReplies(Duration.ZERO);
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
            wiring.proxy().close();
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
