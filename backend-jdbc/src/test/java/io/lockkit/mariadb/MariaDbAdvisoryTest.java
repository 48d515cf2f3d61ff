package io.lockkit.mariadb;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.testkit.mariadb.MariaDbTestServer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * The advisory variant's own mechanisms, which the kit cannot reach: a waiter blocks in the server's
 * {@code GET_LOCK} and is woken by the release, not by a poll (the slice it blocks for is made far
 * longer than the wait that passes); a silent holder's session is ended by the server after its
 * {@code wait_timeout}; lock names fit MariaDB's 64 characters. The handoff is measured by the race
 * comparison, not here.
 */
class MariaDbAdvisoryTest {
    private static String database;

    @BeforeAll
    static void createDatabase() throws Exception {
        database = MariaDbTestServer.newDatabase();
        try (MariaDbBackend client = client(MariaDbBackend.Variant.TABLE, Duration.ofMillis(100))) {
            client.createSchema();
        }
    }

    @AfterAll
    static void dropDatabase() {
        MariaDbTestServer.dropDatabase(database);
    }

    private static MariaDbBackend client(MariaDbBackend.Variant variant, Duration pollInterval) throws Exception {
        MariaDbDataSource ds = new MariaDbDataSource(MariaDbTestServer.databaseUrl(database));
        return MariaDbBackend.builder(ds)
                .variant(variant)
                .pollInterval(pollInterval)
                .networkTimeout(Duration.ofMinutes(2))
                .build();
    }

    @Test
    void aWaiterIsWokenByTheReleaseNotByAPoll() throws Exception {
        Duration maxWait = Duration.ofSeconds(40);
        try (MariaDbBackend holder = client(MariaDbBackend.Variant.ADVISORY, Duration.ofMillis(100));
                MariaDbBackend waiter = client(MariaDbBackend.Variant.ADVISORY, Duration.ofMinutes(1))) {
            String key = "wake-by-release";
            Lease held =
                    holder.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
            CompletableFuture<Optional<Lease>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return waiter.jobLock().acquire(key, Duration.ofSeconds(30), maxWait);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500); // the waiter is blocked in GET_LOCK, for a slice of 40 s (pollInterval 1 min)
            assertThat(waiting).as("the waiter waits while the key is held").isNotDone();
            long releasing = System.nanoTime();
            assertThat(held.release()).isTrue();
            Lease got = waiting.get(maxWait.toSeconds() + 10, TimeUnit.SECONDS).orElseThrow();
            long took = System.nanoTime() - releasing;
            assertThat(Duration.ofNanos(took))
                    .as("L7: the waiter, blocked in one GET_LOCK of 40 s, returned only when its wait was half"
                            + " over: it was not woken by the release")
                    .isLessThan(maxWait.dividedBy(2));
            assertThat(got.token()).as("L2").isGreaterThan(held.token());
            assertThat(got.release()).isTrue();
        }
    }

    /**
     * L2 at the fewest flushes: a grant's commit flushes the redo log (the token is durable before
     * it is handed out) exactly once, and a refused try, with the lock held by another client, not
     * at all. Counted with the server's {@code Innodb_data_fsyncs} (redo log fsyncs included) around
     * 20 operations, the least of 3 passes (InnoDB's background flush adds one now and then). On
     * MariaDB 11.4 the grant's former {@code INSERT … SELECT} flushed twice.
     */
    @Test
    void aGrantFlushesTheRedoLogOnceAndARefusedTryNotAtAll() throws Exception {
        try (MariaDbBackend holder = client(MariaDbBackend.Variant.ADVISORY, Duration.ofMillis(100));
                MariaDbBackend other = client(MariaDbBackend.Variant.ADVISORY, Duration.ofMillis(100));
                java.sql.Connection counter =
                        new MariaDbDataSource(MariaDbTestServer.databaseUrl(database)).getConnection()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(
                    fsyncsCountRedoFlushes(counter),
                    "the server writes its redo log through (O_DSYNC or innodb_log_file_write_through):"
                            + " a durable commit calls no fsync to count");
            String key = "flushes";
            holder.jobLock()
                    .tryAcquire(key, Duration.ofSeconds(30))
                    .orElseThrow()
                    .release(); // the key's row
            double grants = leastPerOperation(counter, () -> assertThat(holder.jobLock()
                            .tryAcquire(key, Duration.ofSeconds(30))
                            .orElseThrow()
                            .release())
                    .isTrue());
            assertThat(grants)
                    .as("fsyncs per grant + release: the grant's commit must flush (L2), once")
                    .isGreaterThanOrEqualTo(1.0)
                    .isLessThan(1.5);
            Lease held =
                    holder.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
            double refused =
                    leastPerOperation(counter, () -> assertThat(other.jobLock().tryAcquire(key, Duration.ofSeconds(30)))
                            .isEmpty());
            assertThat(refused).as("fsyncs per refused try").isLessThan(0.5);
            assertThat(held.release()).isTrue();
        }
    }

    private static double leastPerOperation(java.sql.Connection counter, Runnable operation) throws Exception {
        int n = 20;
        long least = Long.MAX_VALUE;
        for (int pass = 0; pass < 3; pass++) {
            long before = fsyncs(counter);
            for (int i = 0; i < n; i++) {
                operation.run();
            }
            least = Math.min(least, fsyncs(counter) - before);
        }
        return (double) least / n;
    }

    /** Whether a durable commit shows as an fsync: not with O_DSYNC or a redo log written through. */
    private static boolean fsyncsCountRedoFlushes(java.sql.Connection c) throws java.sql.SQLException {
        try (java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN"
                        + " ('innodb_flush_method', 'innodb_log_file_write_through')")) {
            while (rs.next()) {
                String value = rs.getString(2);
                if (value.equalsIgnoreCase("O_DSYNC") || value.equalsIgnoreCase("ON")) {
                    return false;
                }
            }
            return true;
        }
    }

    private static long fsyncs(java.sql.Connection c) throws java.sql.SQLException {
        try (java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SHOW GLOBAL STATUS LIKE 'Innodb_data_fsyncs'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    @Test
    void theServerEndsASilentHoldersSessionAfterItsWaitTimeout() throws Exception {
        try (MariaDbBackend a = client(MariaDbBackend.Variant.ADVISORY, Duration.ofMillis(100));
                MariaDbBackend b = client(MariaDbBackend.Variant.ADVISORY, Duration.ofMillis(100))) {
            String key = "silent-holder";
            Lease silent = a.jobLock().tryAcquire(key, Duration.ofMillis(1500)).orElseThrow(); // wait_timeout 2 s
            CountDownLatch lost = new CountDownLatch(1);
            silent.onLost(l -> lost.countDown());
            // Nothing is sent on the lease's session: the server ends it after 2 s of silence, which frees the lock.
            Optional<Lease> next = b.jobLock().acquire(key, Duration.ofSeconds(30), Duration.ofSeconds(30));
            assertThat(next)
                    .as("L4: the key is free once the server ended the silent holder's session")
                    .isPresent();
            assertThat(next.get().token()).isGreaterThan(silent.token());
            assertThat(lost.await(10, TimeUnit.SECONDS))
                    .as("L5: onLost is called")
                    .isTrue();
            assertThat(silent.isValid()).isFalse();
            assertThat(silent.extend(Duration.ofSeconds(5))).isFalse();
            assertThat(silent.release()).isFalse();
            assertThat(next.get().release()).isTrue();
        }
    }

    @Test
    void lockNamesFitMariaDbsSixtyFourCharacters() throws Exception {
        try (MariaDbBackend a = client(MariaDbBackend.Variant.ADVISORY, Duration.ofMillis(100))) {
            AdvisoryJobLock lock = (AdvisoryJobLock) a.jobLock();
            String longKey = "k".repeat(256);
            assertThat(lock.lockName(longKey)).hasSizeLessThanOrEqualTo(64).startsWith("lockkit:");
            assertThat(lock.lockName("a")).isNotEqualTo(lock.lockName("b"));
            assertThat(PinnedSessions.seconds(Duration.ofMillis(1001))).isEqualTo(2);
            assertThat(PinnedSessions.seconds(Duration.ofSeconds(1))).isEqualTo(1);
            Lease lease = a.jobLock().tryAcquire(longKey, Duration.ofSeconds(5)).orElseThrow();
            assertThat(lease.release()).isTrue();
        }
    }
}
