package io.lockkit.postgresql;

import io.lockkit.Backend;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One PostgreSQL store for the TCK: a schema of its own on {@link TestDatabase}, clients of one
 * {@link Variant}, and faults done on the server with {@code pg_terminate_backend} on the sessions
 * of the client's application name. Thread-safe.
 */
final class PostgresTarget implements TckTarget, StoreFaults {
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final Variant variant;
    private final String schema = TestDatabase.newSchema();
    private final TableNames tables = TestDatabase.tables(schema);
    private final Map<Backend, String> applicationNames = new ConcurrentHashMap<>();

    PostgresTarget(Variant variant) {
        this.variant = variant;
        try (PostgresBackend setup = builder("lockkit-tck-setup").build()) {
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
        PostgresBackend client = builder(applicationName).build();
        applicationNames.put(client, applicationName);
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
            TestDatabase.terminate(applicationName(client));
        } else {
            TestDatabase.awaitLeaseSessionsEnded(applicationName(client), Duration.ofSeconds(60));
        }
    }

    @Override
    public void killConnection(Backend client) {
        TestDatabase.terminate(applicationName(client));
    }

    /** A crashed process's connections close with it: the server ends its sessions; timed leases stay. */
    @Override
    public void crash(Backend client) {
        TestDatabase.terminate(applicationName(client));
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
        applicationNames.keySet().forEach(Backend::close);
        TestDatabase.dropSchema(schema);
    }

    private PostgresBackend.Builder builder(String applicationName) {
        return PostgresBackend.builder(TestDatabase.dataSource(applicationName))
                .variant(variant)
                .tables(tables)
                .namespace(schema)
                .maxConnections(Fixture.CONNECTIONS);
    }

    private String applicationName(Backend client) {
        String name = applicationNames.get(client);
        if (name == null) {
            throw new IllegalArgumentException("not a client of this target: " + client.name());
        }
        return name;
    }
}
