package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The shipped DDL, the opt-in {@code createSchema} (idempotent, concurrent), and validated names (E1). */
class SchemaTest {
    @Test
    void createSchemaIsSafeWhenManyProcessesRunItAtOnce() throws Exception {
        String schema = PostgresTestServer.newSchema();
        TableNames tables = Fixture.tables(schema);
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CyclicBarrier start = new CyclicBarrier(n);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                runs.add(pool.submit(() -> {
                    try (PostgresBackend client = PostgresBackend.builder(
                                    PostgresTestServer.dataSource("lockkit-test-schema"))
                            .tables(tables)
                            .build()) {
                        start.await();
                        client.createSchema();
                        client.createSchema(); // and again: idempotent
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(); // any exception (such as a 23505 from racing CREATEs) fails the test
            }
            try (PostgresBackend client = PostgresBackend.builder(PostgresTestServer.dataSource("lockkit-test-schema"))
                    .tables(tables)
                    .build()) {
                assertThat(client.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                        .isPresent();
                assertThat(client.versionedUpdate().create("k", new byte[] {1})).isPresent();
            }
        } finally {
            pool.shutdownNow();
            PostgresTestServer.dropSchema(schema);
        }
    }

    @Test
    void reservedWordsWorkAsNamesBecauseNamesAreQuoted() {
        String schema = PostgresTestServer.newSchema();
        TableNames tables = new TableNames(schema + ".order", schema + ".select", schema + ".user", schema + ".from");
        try (PostgresBackend client = PostgresBackend.builder(PostgresTestServer.dataSource("lockkit-test-schema"))
                .variant(Variant.ROWLOCK)
                .tables(tables)
                .build()) {
            client.createSchema();
            client.jobLock()
                    .tryAcquire("k", Duration.ofSeconds(5))
                    .orElseThrow()
                    .release();
            assertThat(client.versionedUpdate().create("k", new byte[] {1})).isPresent();
        } finally {
            PostgresTestServer.dropSchema(schema);
        }
    }

    @Test
    void e1_badNamesAreRejectedAllAtOnceBeforeAnySql() {
        assertThatThrownBy(() -> new TableNames("Locks", "a;drop table x", "ok", "x.y.z"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lockTable='Locks'")
                .hasMessageContaining("rowLockTable='a;drop table x'")
                .hasMessageContaining("tokenSequence='x.y.z'")
                .hasMessageNotContaining("versionedTable");
        assertThatThrownBy(() -> new TableNames("a\".b", "x", "y", "z")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDdlNamesTheConfiguredTablesAndACache1Sequence() {
        String ddl = PostgresBackend.schemaSql(TableNames.DEFAULT.withLockTable("jobs.locks"));
        assertThat(ddl)
                .contains("CREATE TABLE IF NOT EXISTS \"jobs\".\"locks\"")
                .contains("CREATE SEQUENCE IF NOT EXISTS \"lockkit_token\"")
                .contains("CACHE 1")
                .doesNotContain("{");
    }

    @Test
    void theCleanUpDeletesOnlyLongExpiredRowsInBoundedBatches() throws Exception {
        try (Fixture f = new Fixture()) {
            // no drift margin: the shortest lease is 1 ms
            PostgresBackend client = f.builder(Variant.TABLE, "lockkit-test-clean-up")
                    .driftMargin(Duration.ZERO)
                    .build();
            for (int i = 0; i < 5; i++) {
                client.jobLock().tryAcquire("expired-" + i, Duration.ofMillis(1));
            }
            client.jobLock().tryAcquire("held", Duration.ofSeconds(30)).orElseThrow();
            Thread.sleep(20); // the 1 ms leases are long expired on the database clock
            assertThat(client.deleteExpiredLocks(Duration.ZERO, 3)).isEqualTo(3);
            assertThat(client.deleteExpiredLocks(Duration.ZERO, 3)).isEqualTo(2);
            assertThat(client.deleteExpiredLocks(Duration.ZERO, 3)).isZero();
            assertThat(f.client(Variant.TABLE).jobLock().tryAcquire("held", Duration.ofSeconds(1)))
                    .isEmpty();
            client.close();
        }
    }
}
