package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.FencedOutException;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The versioned mapping onto the user's own table and the locked-row helper, in the user's transactions. */
class UserTableTest {
    private String schema;
    private String jobs;
    private Jdbi jdbi;

    @BeforeEach
    void table() {
        schema = PostgresTestServer.newSchema();
        jobs = schema + ".jobs";
        jdbi = Jdbi.create(PostgresTestServer.dataSource("lockkit-test-user-table"));
        jdbi.useHandle(h -> {
            h.execute("CREATE TABLE " + jobs + " (id bigint PRIMARY KEY, status text NOT NULL,"
                    + " lock_version bigint NOT NULL DEFAULT 1, fence bigint)");
            h.execute("CREATE TABLE " + schema + ".audit (job bigint, note text)");
            h.execute("INSERT INTO " + jobs + " (id, status) VALUES (1, 'PENDING')");
        });
    }

    @AfterEach
    void drop() {
        PostgresTestServer.dropSchema(schema);
    }

    @Test
    void v1_exactlyOneOfConcurrentUpdatesWithTheSameVersionWins() throws Exception {
        VersionedTable table = VersionedTable.builder(jobs).build();
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CyclicBarrier start = new CyclicBarrier(n);
        try {
            List<Future<OptionalLong>> results = IntStream.range(0, n)
                    .mapToObj(i -> pool.submit(() -> jdbi.inTransaction(h -> {
                        start.await();
                        return table.update(h, 1L, 1, Map.of("status", "DONE-" + i));
                    })))
                    .toList();
            long winners = 0;
            for (Future<OptionalLong> r : results) {
                winners += r.get().isPresent() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
            assertThat(version(table)).hasValue(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theVersionCheckCommitsOrRollsBackWithTheCallersOtherWrites() {
        VersionedTable table = VersionedTable.builder(jobs).build();
        assertThatThrownBy(() -> jdbi.useTransaction(h -> {
                    assertThat(table.update(h, 1L, 1, Map.of("status", "RUNNING")))
                            .hasValue(2);
                    h.execute("INSERT INTO " + schema + ".audit VALUES (1, 'started')");
                    throw new IllegalStateException("the caller changes its mind");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(version(table)).hasValue(1);
        long audited = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM " + schema + ".audit")
                .mapTo(Long.class)
                .one());
        assertThat(audited).isZero();
    }

    @Test
    void v3_aFencedWriteWithAnOlderTokenIsRefusedWhateverTheVersion() {
        VersionedTable table = VersionedTable.builder(jobs).fenceColumn("fence").build();
        assertThat(fenced(table, 1, 10)).hasValue(2);
        assertThatThrownBy(() -> jdbi.useTransaction(h -> table.update(h, 1L, 2, 9, Map.of("status", "A"))))
                .isInstanceOf(FencedOutException.class);
        assertThat(fenced(table, 1, 10)).isEmpty();
        assertThat(fenced(table, 2, 11)).hasValue(3);
    }

    @Test
    void e1_valuesMayNotSetTheVersionOrFenceColumnAndNothingIsWritten() {
        VersionedTable table = VersionedTable.builder(jobs).fenceColumn("fence").build();
        assertThat(fenced(table, 1, 10)).hasValue(2);
        // an unfenced write that reset the fence would let a zombie with a smaller token write again
        assertThatThrownBy(() -> jdbi.useTransaction(h -> table.update(h, 1L, 2, Map.of("status", "X", "fence", 0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fence column \"fence\"");
        assertThatThrownBy(() -> jdbi.useTransaction(h -> table.update(h, 1L, 2, Map.of("lock_version", 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version column \"lock_version\"");
        assertThatThrownBy(() -> jdbi.useTransaction(h -> table.update(h, 1L, 2, 11, Map.of("fence", 99))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fence column");
        assertThat(version(table)).hasValue(2);
        assertThatThrownBy(() -> jdbi.useTransaction(h -> table.update(h, 1L, 2, 9, Map.of("status", "zombie"))))
                .isInstanceOf(FencedOutException.class);
        String status = jdbi.withHandle(h -> h.createQuery("SELECT status FROM " + jobs + " WHERE id = 1")
                .mapTo(String.class)
                .one());
        assertThat(status).isEqualTo("B");
    }

    private OptionalLong version(VersionedTable table) {
        return jdbi.withHandle(h -> table.version(h, 1L));
    }

    private OptionalLong fenced(VersionedTable table, long expected, long token) {
        return jdbi.inTransaction(h -> table.update(h, 1L, expected, token, Map.of("status", "B")));
    }

    @Test
    void l1_anAcquireInsideTheCallersTransactionNeverJoinsIt() {
        String locks = schema + ".locks";
        TableNames tables = TableNames.DEFAULT
                .withLockTable(locks)
                .withTokenSequence(schema + ".tokens")
                .withRowLockTable(schema + ".rows")
                .withVersionedTable(schema + ".values");
        try (PostgresBackend mine = PostgresBackend.builder(jdbi).tables(tables).build();
                PostgresBackend other = PostgresBackend.builder(PostgresTestServer.dataSource("lockkit-test-other"))
                        .tables(tables)
                        .build()) {
            mine.createSchema();
            assertThatThrownBy(() -> jdbi.useTransaction(h -> {
                        assertThat(mine.jobLock().tryAcquire("job", java.time.Duration.ofSeconds(30)))
                                .isPresent();
                        // committed on lockkit's own connection: visible while the caller's transaction is open
                        assertThat(other.jobLock().tryAcquire("job", java.time.Duration.ofSeconds(30)))
                                .isEmpty();
                        throw new IllegalStateException("the caller's transaction rolls back");
                    }))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(other.jobLock().tryAcquire("job", java.time.Duration.ofSeconds(30)))
                    .isEmpty();
        }
    }

    @Test
    void e1_identifiersThatCouldInjectSqlAreRejected() {
        assertThatThrownBy(() -> VersionedTable.builder("jobs; drop table x").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jobs; drop table x");
        assertThatThrownBy(() ->
                        VersionedTable.builder("jobs").versionColumn("v\"").build())
                .isInstanceOf(IllegalArgumentException.class);
        VersionedTable table = VersionedTable.builder(jobs).build();
        assertThatThrownBy(() -> jdbi.useHandle(h -> table.update(h, 1L, 1, Map.of("status = 'x', id", 2))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LockedRows.of(jobs, "id or true")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLockedRowIsReReadAndAnotherTransactionGetsEmptyInsteadOfWaiting() {
        LockedRows rows = LockedRows.of(jobs, "id");
        Optional<String> outcome = jdbi.inTransaction(h -> rows.inLockedRow(h, 1L, (tx, row) -> {
            assertThat(row).containsEntry("status", "PENDING");
            // while this transaction holds the row, another one is told "not now" at once
            Jdbi otherProcess =
                    Jdbi.create(PostgresTestServer.dataSource("lockkit-test-user-table")); // not this thread's handle
            Optional<Object> other =
                    otherProcess.inTransaction(h2 -> rows.inLockedRow(h2, 1L, (tx2, r2) -> (Object) r2));
            assertThat(other).isEmpty();
            tx.execute("UPDATE " + jobs + " SET status = 'RUNNING' WHERE id = 1");
            return "started";
        }));
        assertThat(outcome).contains("started");
        Optional<Object> status = jdbi.inTransaction(h -> rows.inLockedRow(h, 1L, (tx, row) -> row.get("status")));
        assertThat(status).contains("RUNNING");
        Optional<Object> missing = jdbi.inTransaction(h -> rows.inLockedRow(h, 99L, (tx, row) -> (Object) row));
        assertThat(missing).isEmpty();
        assertThatThrownBy(() -> jdbi.useHandle(h -> rows.inLockedRow(h, 1L, (tx, row) -> row)))
                .isInstanceOf(IllegalStateException.class);
    }
}
