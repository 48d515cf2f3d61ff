package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Lease;
import io.lockkit.jdbc.BusyClientAcquires;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client takes a bounded share of the DataSource it is given, and within it lease sessions and
 * statements never starve each other: a holder can always write its result, and an application
 * sharing a HikariCP pool of the default size still gets its own connections while lockkit is loaded.
 */
class ConnectionBudgetTest {
    private static Fixture fixture;

    @BeforeAll
    static void schema() {
        fixture = new Fixture();
    }

    @AfterAll
    static void drop() {
        fixture.close();
    }

    @ParameterizedTest
    @EnumSource(
            value = Variant.class,
            names = {"ADVISORY", "ROWLOCK"})
    void aHolderCanWriteItsResultHoweverManyLeasesItsClientHolds(Variant variant) {
        try (PostgresBackend client = fixture.builder(variant, "lockkit-test-budget")
                .maxConnections(3)
                .connectionWait(Duration.ofMillis(300))
                .build()) {
            List<Lease> held = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Optional<Lease> lease = client.jobLock().tryAcquire("budget-" + i, Duration.ofSeconds(30));
                    held.add(lease.orElseThrow());
                }
            } catch (BackendUnavailableException e) {
                assertThat(e).hasMessageContaining("lease sessions");
            }
            assertThat(held).as("lease sessions of maxConnections=3").hasSize(1);
            for (Lease lease : held) {
                String key = lease.key() + "-result-" + variant;
                assertThat(client.versionedUpdate().create(key, new byte[] {1}, lease.token()))
                        .as("the holder's fenced write")
                        .isPresent();
                assertThat(client.versionedUpdate().compareAndSet(key, 1, new byte[] {2}, lease.token()))
                        .isPresent();
            }
            for (Lease lease : held) {
                assertThat(lease.release()).isTrue();
            }
        }
    }

    /**
     * L8 where the kit cannot reach (INCIDENTS.md row 41): {@code busy} of the client's two pooled
     * connections wait for a row an outside transaction holds, so an acquire waits for a connection:
     * for its statement (table) or its lease session (advisory, rowlock) with 2 busy, and on the
     * row-lock variant with 1 busy for the one that flushes its token while its row is locked.
     * Interrupted, it throws {@link InterruptedException} at once instead of waiting out {@code
     * connectionWait} (20 s here), and leaves nothing held.
     */
    @ParameterizedTest(name = "{0}, {1} busy")
    @CsvSource({"TABLE, 2", "ADVISORY, 2", "ROWLOCK, 2", "ROWLOCK, 1"})
    void anAcquireWaitingForAConnectionOfItsClientIsInterruptible(Variant variant, int busy) throws Exception {
        String key = "budget-free-" + variant + "-" + busy + "-" + System.nanoTime();
        withBusyConnections(
                variant,
                busy,
                (client, threads) -> BusyClientAcquires.interruptEndsTheWait(client.jobLock(), key, threads));
        try (PostgresBackend other =
                fixture.builder(variant, "lockkit-test-budget").build()) {
            BusyClientAcquires.keyIsFree(other.jobLock(), key);
        }
    }

    /**
     * L7 where the kit cannot reach: as above, but the acquire is left to its {@code maxWait} of
     * 500 ms, which ends it empty (no connection came), not {@code connectionWait} later.
     */
    @ParameterizedTest(name = "{0}, {1} busy")
    @CsvSource({"TABLE, 2", "ADVISORY, 2", "ROWLOCK, 2", "ROWLOCK, 1"})
    void anAcquireWaitingForAConnectionOfItsClientEndsByItsMaxWait(Variant variant, int busy) throws Exception {
        String key = "budget-free-" + variant + "-" + busy + "-" + System.nanoTime();
        withBusyConnections(
                variant,
                busy,
                (client, threads) -> BusyClientAcquires.maxWaitEndsTheWait(client.jobLock(), key, threads));
    }

    /** Runs {@code body} on a client whose {@code busy} statement connections wait for a row lock. */
    private static void withBusyConnections(Variant variant, int busy, BusyBody body) throws Exception {
        List<String> rows = new ArrayList<>(); // one each: a client's writes to one key may queue in the client
        for (int i = 0; i < busy; i++) {
            rows.add("budget-busy-" + variant + "-" + i + "-" + System.nanoTime());
        }
        ExecutorService threads = Executors.newFixedThreadPool(busy + 1);
        try (PostgresBackend client = fixture.builder(variant, "lockkit-test-budget")
                        .maxConnections(3) // the listener's, and two pooled: one lease session at most
                        .connectionWait(Duration.ofSeconds(20))
                        .networkTimeout(Duration.ofSeconds(60))
                        .build();
                Connection outside = PostgresTestServer.dataSource("lockkit-test-budget-outside")
                        .getConnection()) {
            for (String row : rows) {
                client.versionedUpdate().create(row, new byte[] {1}).orElseThrow();
            }
            outside.setAutoCommit(false);
            for (String row : rows) {
                try (PreparedStatement holdRow = outside.prepareStatement(
                        "SELECT 1 FROM " + fixture.tables.versionedTable() + " WHERE key = ? FOR UPDATE")) {
                    holdRow.setBytes(1, row.getBytes(StandardCharsets.UTF_8));
                    assertThat(holdRow.executeQuery().next())
                            .as("the outside transaction holds the row")
                            .isTrue();
                }
            }
            List<Future<?>> writers = new ArrayList<>();
            try {
                for (String row : rows) {
                    writers.add(threads.submit(() -> client.versionedUpdate().compareAndSet(row, 1, new byte[] {2})));
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (blockedOnTheRow(outside, "lockkit-test-budget") < busy && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertThat(blockedOnTheRow(outside, "lockkit-test-budget"))
                        .as("statements of the client waiting for the rows")
                        .isEqualTo(busy);
                body.run(client, threads);
            } finally {
                outside.rollback();
            }
            for (Future<?> writer : writers) {
                writer.get(30, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface BusyBody {
        void run(PostgresBackend client, ExecutorService threads) throws Exception;
    }

    /**
     * Sessions named {@code applicationName} waiting for a lock (the outside transaction's rows).
     * Asked inside that transaction, so the statistics snapshot it caches is cleared first.
     */
    static int blockedOnTheRow(Connection holder, String applicationName) throws SQLException {
        holder.createStatement().execute("SELECT pg_stat_clear_snapshot()");
        try (PreparedStatement blocked = holder.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = ?")) {
            blocked.setString(1, applicationName);
            try (ResultSet count = blocked.executeQuery()) {
                count.next();
                return count.getInt(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void theClientNeverHoldsMoreThanMaxConnectionsListenerIncluded(Variant variant) throws Exception {
        CountingDataSource counting = new CountingDataSource(PostgresTestServer.dataSource("lockkit-test-budget"));
        try (PostgresBackend client = PostgresBackend.builder(counting)
                .variant(variant)
                .tables(fixture.tables)
                .namespace(fixture.schema)
                .build()) {
            load(client, () -> {});
        }
        assertThat(counting.mostOpen.get()).isBetween(2, PostgresBackend.DEFAULT_MAX_CONNECTIONS);
    }

    /**
     * As a new user of HikariCP would: its default pool of 10, lockkit built on it with its
     * defaults, ten threads acquiring and releasing plus one waiter; the application's own {@code
     * getConnection()} is served throughout.
     */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void anApplicationSharingAHikariPoolOfTheDefaultSizeStillGetsItsConnection(Variant variant) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PostgresTestServer.jdbcUrl());
        config.setConnectionTimeout(1000);
        config.setPoolName("lockkit-test-" + variant);
        try (HikariDataSource hikari = new HikariDataSource(config);
                PostgresBackend client = PostgresBackend.builder(hikari)
                        .variant(variant)
                        .tables(fixture.tables)
                        .namespace(fixture.schema)
                        .build()) {
            assertThat(hikari.getMaximumPoolSize()).isEqualTo(10);
            AtomicInteger served = new AtomicInteger();
            load(client, () -> {
                try (Connection own = hikari.getConnection()) {
                    own.createStatement().execute("SELECT 1");
                    served.incrementAndGet();
                } catch (SQLException e) {
                    throw new AssertionError("the application got no connection of its own: " + e.getMessage(), e);
                }
            });
            assertThat(served.get()).isPositive();
        }
    }

    /**
     * Ten threads acquire and release (session variants: each its own key, so they hold at once;
     * table: one shared key as well), one waiter waits for a held key, and {@code meanwhile} runs
     * repeatedly while all of that goes on; no lockkit call may fail.
     */
    private static void load(PostgresBackend client, Runnable meanwhile) throws Exception {
        String prefix = "load-" + System.nanoTime() + "-";
        Lease blocker = client.jobLock()
                .tryAcquire(prefix + "waited", Duration.ofSeconds(30))
                .orElseThrow();
        ExecutorService threads = Executors.newFixedThreadPool(11);
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch waiting = new CountDownLatch(1);
        try {
            Future<Optional<Lease>> waiter = threads.submit(() -> {
                waiting.countDown();
                return client.jobLock().acquire(prefix + "waited", Duration.ofSeconds(30), Duration.ofSeconds(60));
            });
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 10; t++) {
                String key = prefix + (t % 2 == 0 ? "shared" : t);
                workers.add(threads.submit(() -> {
                    while (!stop.get()) {
                        try {
                            client.jobLock()
                                    .acquire(key, Duration.ofSeconds(30), Duration.ofSeconds(10))
                                    .ifPresent(lease -> {
                                        client.versionedUpdate().read(key);
                                        lease.release();
                                    });
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            failures.add(e);
                            return;
                        }
                    }
                }));
            }
            waiting.await();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < until) {
                meanwhile.run();
                Thread.sleep(50);
            }
            stop.set(true);
            for (Future<?> worker : workers) {
                worker.get(30, TimeUnit.SECONDS);
            }
            assertThat(failures).as("lockkit calls that failed under load").isEmpty();
            assertThat(blocker.release()).isTrue();
            Lease handedOver = waiter.get(30, TimeUnit.SECONDS).orElseThrow();
            assertThat(handedOver.release()).isTrue();
        } finally {
            stop.set(true);
            threads.shutdownNow();
        }
    }

    /** A DataSource that counts the connections open at once. */
    private static final class CountingDataSource implements DataSource {
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger mostOpen = new AtomicInteger();
        private final DataSource target;

        CountingDataSource(DataSource target) {
            this.target = target;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = target.getConnection();
            mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            AtomicBoolean closed = new AtomicBoolean();
            return (Connection) Proxy.newProxyInstance(
                    Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && closed.compareAndSet(false, true)) {
                            open.decrementAndGet();
                        }
                        if (method.getName().equals("unwrap")
                                || method.getName().equals("isWrapperFor")) {
                            return method.invoke(c, args);
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String user, String password) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
