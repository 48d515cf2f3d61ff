package io.lockkit.postgresql;

import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTarget;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import io.lockkit.testkit.postgresql.WireSocketFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.ds.PGSimpleDataSource;

/** A schema of its own and clients in it, for the focused tests; {@link #close()} removes both. */
final class Fixture implements AutoCloseable {
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    /** As many connections as the TCK's clients ({@link PostgresTarget#CONNECTIONS}). */
    static final int CONNECTIONS = PostgresTarget.CONNECTIONS;

    /** Only the lock table's acquire statement ({@link Sql#TABLE_ACQUIRE}) contains this: a wire's marker. */
    static final String TABLE_ACQUIRE_MARKER = "WITH held AS";
    /** Only the advisory variant's acquire statement ({@link Sql#ADVISORY_ACQUIRE}) contains this. */
    static final String ADVISORY_ACQUIRE_MARKER = "WITH attempt AS MATERIALIZED";
    /** Only the rowlock variant's acquire statement ({@link Sql#ROWLOCK_ACQUIRE}) contains this. */
    static final String ROWLOCK_ACQUIRE_MARKER = "WITH locked AS MATERIALIZED";

    final String schema = PostgresTestServer.newSchema();
    final TableNames tables = tables(schema);
    private final List<PostgresBackend> clients = new ArrayList<>();

    Fixture() {
        try (PostgresBackend first =
                builder(Variant.TABLE, "lockkit-test-setup").build()) {
            first.createSchema();
        }
    }

    /** Table names inside {@code schema}. */
    static TableNames tables(String schema) {
        TableNames d = TableNames.DEFAULT;
        return new TableNames(
                schema + "." + d.lockTable(),
                schema + "." + d.rowLockTable(),
                schema + "." + d.versionedTable(),
                schema + "." + d.tokenSequence());
    }

    /** A builder for a client in this schema whose sessions carry {@code applicationName}. */
    PostgresBackend.Builder builder(Variant variant, String applicationName) {
        return PostgresBackend.builder(PostgresTestServer.dataSource(applicationName))
                .variant(variant)
                .tables(tables)
                .namespace(schema)
                .maxConnections(CONNECTIONS);
    }

    /** A new client, closed with the fixture. */
    synchronized PostgresBackend client(Variant variant) {
        PostgresBackend client =
                builder(variant, schema + "-" + CLIENTS.incrementAndGet()).build();
        clients.add(client);
        return client;
    }

    /**
     * A client whose connections go through {@link WireSocketFactory} with the wire {@code
     * wireName} (also its application name); the caller closes it.
     */
    PostgresBackend wiredClient(Variant variant, String wireName) {
        return wiredBuilder(variant, wireName).build();
    }

    /** A builder for {@link #wiredClient}. */
    PostgresBackend.Builder wiredBuilder(Variant variant, String wireName) {
        PGSimpleDataSource ds = PostgresTestServer.dataSource(wireName);
        ds.setSocketFactory(WireSocketFactory.class.getName());
        ds.setSocketFactoryArg(wireName);
        return PostgresBackend.builder(ds)
                .variant(variant)
                .tables(tables)
                .namespace(schema)
                .maxConnections(CONNECTIONS);
    }

    @Override
    public synchronized void close() {
        clients.forEach(PostgresBackend::close);
        PostgresTestServer.dropSchema(schema);
    }
}
