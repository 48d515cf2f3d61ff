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
