package io.lockkit.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.testkit.mariadb.MariaDbTestServer;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * Won and lost, extended and released, read the same whether the application's DataSource counts
 * affected rows ({@code useAffectedRows=true}) or found rows (the driver's default): the acquire reads
 * the key's row back ({@code RETURNING}), and every extend or release that matches its row also
 * changes it.
 */
class MariaDbAffectedRowsTest {
    private static String database;

    @BeforeAll
    static void createDatabase() {
        database = MariaDbTestServer.newDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        MariaDbTestServer.dropDatabase(database);
    }

    @ParameterizedTest(name = "useAffectedRows={0}")
    @ValueSource(booleans = {true, false})
    void grantsAndOwnerChecksReadTheSameWhateverTheDriverCounts(boolean affectedRows) throws Exception {
        String url = MariaDbTestServer.databaseUrl(database);
        MariaDbDataSource ds =
                new MariaDbDataSource(url + (url.contains("?") ? "&" : "?") + "useAffectedRows=" + affectedRows);
        try (MariaDbBackend a = MariaDbBackend.builder(ds).build();
                MariaDbBackend b = MariaDbBackend.builder(ds).build()) {
            a.createSchema();
            String key = "affected-rows-" + affectedRows;
            Lease held = a.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
            assertThat(b.jobLock().tryAcquire(key, Duration.ofSeconds(30))).isEmpty();
            assertThat(a.jobLock().tryAcquire(key, Duration.ofSeconds(30)))
                    .as("not reentrant")
                    .isEmpty();
            assertThat(held.extend(Duration.ofSeconds(30))).isTrue();
            assertThat(held.release()).isTrue();
            assertThat(held.release()).isFalse();
            Optional<Lease> next = b.jobLock().tryAcquire(key, Duration.ofSeconds(30));
            assertThat(next).isPresent();
            assertThat(next.get().token()).isGreaterThan(held.token());
            assertThat(held.extend(Duration.ofSeconds(30)))
                    .as("a released lease is not extended")
                    .isFalse();
            assertThat(next.get().release()).isTrue();
        }
    }
}
