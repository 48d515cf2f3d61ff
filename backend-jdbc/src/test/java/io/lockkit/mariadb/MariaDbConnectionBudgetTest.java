package io.lockkit.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.jdbc.BusyClientAcquires;
import io.lockkit.testkit.mariadb.MariaDbTestServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * L7, L8 where the kit cannot reach (INCIDENTS.md row 41), as PostgreSQL's {@code
 * ConnectionBudgetTest}: {@code busy} of the two connections of a client of {@code maxConnections=2}
 * wait for a row an outside transaction holds, so an acquire waits for a connection: with 2 busy, for
 * the table variant's statement or a session variant's lease session; with 1 busy on the row-lock
 * variant, for the one that flushes its token while its row is locked. Interrupted, it throws at once; left alone, it
 * ends empty at its {@code maxWait}; not {@code connectionWait} (20 s here) later either way.
 */
class MariaDbConnectionBudgetTest {
    private static String database;

    @BeforeAll
    static void createDatabase() throws Exception {
        database = MariaDbTestServer.newDatabase();
        try (MariaDbBackend client = client(MariaDbBackend.Variant.TABLE)) {
            client.createSchema();
        }
    }

    @AfterAll
    static void dropDatabase() {
        MariaDbTestServer.dropDatabase(database);
    }

    private static MariaDbBackend client(MariaDbBackend.Variant variant) throws SQLException {
        return MariaDbBackend.builder(new MariaDbDataSource(MariaDbTestServer.databaseUrl(database)))
                .variant(variant)
                .maxConnections(2)
                .connectionWait(Duration.ofSeconds(20))
                .networkTimeout(Duration.ofSeconds(60))
                .build();
    }

    @ParameterizedTest(name = "{0}, {1} busy")
    @CsvSource({"TABLE, 2", "ADVISORY, 2", "ROWLOCK, 2", "ROWLOCK, 1"})
    void anAcquireWaitingForAConnectionOfItsClientIsInterruptible(MariaDbBackend.Variant variant, int busy)
            throws Exception {
        String key = "budget-free-" + variant + "-" + busy + "-" + System.nanoTime();
        withBusyConnections(
                variant,
                busy,
                (client, threads) -> BusyClientAcquires.interruptEndsTheWait(client.jobLock(), key, threads));
        try (MariaDbBackend other = client(variant)) {
            BusyClientAcquires.keyIsFree(other.jobLock(), key);
        }
    }

    @ParameterizedTest(name = "{0}, {1} busy")
    @CsvSource({"TABLE, 2", "ADVISORY, 2", "ROWLOCK, 2", "ROWLOCK, 1"})
    void anAcquireWaitingForAConnectionOfItsClientEndsByItsMaxWait(MariaDbBackend.Variant variant, int busy)
            throws Exception {
        String key = "budget-free-" + variant + "-" + busy + "-" + System.nanoTime();
        withBusyConnections(
                variant,
                busy,
                (client, threads) -> BusyClientAcquires.maxWaitEndsTheWait(client.jobLock(), key, threads));
    }

    /** Runs {@code body} on a client whose {@code busy} connections (of its two) wait for a row lock. */
    private static void withBusyConnections(MariaDbBackend.Variant variant, int busy, BusyBody body) throws Exception {
        List<String> rows = new ArrayList<>(); // one each: a client's writes to one key may queue in the client
        for (int i = 0; i < busy; i++) {
            rows.add("budget-busy-" + variant + "-" + i + "-" + System.nanoTime());
        }
        ExecutorService threads = Executors.newFixedThreadPool(busy + 1);
        try (MariaDbBackend client = client(variant);
                Connection outside = new MariaDbDataSource(MariaDbTestServer.databaseUrl(database)).getConnection()) {
            for (String row : rows) {
                client.versionedUpdate().create(row, new byte[] {1}).orElseThrow();
            }
            outside.setAutoCommit(false);
            for (String row : rows) {
                try (PreparedStatement holdRow =
                        outside.prepareStatement("SELECT 1 FROM lockkit_versioned WHERE vkey = ? FOR UPDATE")) {
                    holdRow.setBytes(1, row.getBytes(StandardCharsets.UTF_8));
                    try (ResultSet held = holdRow.executeQuery()) {
                        assertThat(held.next())
                                .as("the outside transaction holds the row")
                                .isTrue();
                    }
                }
            }
            List<Future<?>> writers = new ArrayList<>();
            try {
                for (String row : rows) {
                    writers.add(threads.submit(() -> client.versionedUpdate().compareAndSet(row, 1, new byte[] {2})));
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (waitingForALock(outside) < busy && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertThat(waitingForALock(outside))
                        .as("statements of the client waiting for the rows")
                        .isEqualTo(busy);
                body.run(client, threads);
            } finally {
                outside.rollback();
            }
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** Statements of the client waiting for the outside transaction's row (its compare-and-sets). */
    private static int waitingForALock(Connection inDatabase) throws SQLException {
        try (ResultSet rs = inDatabase
                .createStatement()
                .executeQuery("SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE()"
                        + " AND COMMAND = 'Query' AND INFO LIKE 'UPDATE `lockkit_versioned`%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @FunctionalInterface
    private interface BusyBody {
        void run(MariaDbBackend client, ExecutorService threads) throws Exception;
    }
}
