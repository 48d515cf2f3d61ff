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
 * The rowlock variant's own mechanisms, which the kit cannot reach: a silent holder's session is
 * ended by the server after its {@code idle_transaction_timeout}; a waiter waits on the row in InnoDB
 * and is granted it by the release, not by a poll; with two connections a holder can still write;
 * a key's first acquire creates its row; a lease session goes back to the pool in autocommit, so
 * the statements that borrow it next commit what they write.
 */
class MariaDbRowLockTest {
    private static String database;

    @BeforeAll
    static void createDatabase() throws Exception {
        database = MariaDbTestServer.newDatabase();
        try (MariaDbBackend client = client(Duration.ofMillis(100), 4)) {
            client.createSchema();
        }
    }

    @AfterAll
    static void dropDatabase() {
        MariaDbTestServer.dropDatabase(database);
    }

    private static MariaDbBackend client(Duration pollInterval, int maxConnections) throws Exception {
        MariaDbDataSource ds = new MariaDbDataSource(MariaDbTestServer.databaseUrl(database));
        return MariaDbBackend.builder(ds)
                .variant(MariaDbBackend.Variant.ROWLOCK)
                .pollInterval(pollInterval)
                .maxConnections(maxConnections)
                .networkTimeout(Duration.ofMinutes(2))
                .build();
    }

    /** A client whose connections start with {@code sessionVariables} (as a DBA's global settings would give them). */
    private static MariaDbBackend clientWith(String sessionVariables) throws Exception {
        String url = MariaDbTestServer.databaseUrl(database);
        MariaDbDataSource ds =
                new MariaDbDataSource(url + (url.contains("?") ? "&" : "?") + "sessionVariables=" + sessionVariables);
        return MariaDbBackend.builder(ds)
                .variant(MariaDbBackend.Variant.ROWLOCK)
                .maxConnections(4)
                .networkTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Test
    void aServersReadOnlyIdleTimeoutDoesNotEndALeaseBeforeItsTime() throws Exception {
        // The server gives idle_readonly_transaction_timeout precedence over idle_transaction_timeout, and
        // the lease's transaction only read (FOR UPDATE): set alone, the lease's timeout would not hold.
        try (MariaDbBackend a = clientWith("idle_readonly_transaction_timeout=1");
                MariaDbBackend b = client(Duration.ofMillis(100), 4)) {
            Lease held = a.jobLock()
                    .tryAcquire("readonly-timeout", Duration.ofSeconds(10))
                    .orElseThrow();
            Thread.sleep(2500); // the holder is silent for longer than the server's read-only idle timeout
            assertThat(b.jobLock().tryAcquire("readonly-timeout", Duration.ofSeconds(10)))
                    .as("L1: the lease of 10 s is still held after 2.5 s of silence")
                    .isEmpty();
            assertThat(held.isValid()).isTrue();
            assertThat(held.release()).isTrue();
        }
    }

    @Test
    void createSchemaDoesNotWaitBehindAHeldLease() throws Exception {
        // A held lease keeps a metadata lock on the sequence (its NEXTVAL ran in the lease's
        // transaction): an IF NOT EXISTS DDL would wait for it, and every NEXTVAL of the store behind that.
        try (MariaDbBackend a = client(Duration.ofMillis(100), 4);
                MariaDbBackend starting = clientWith("lock_wait_timeout=3")) {
            Lease held = a.jobLock()
                    .tryAcquire("schema-while-held", Duration.ofSeconds(30))
                    .orElseThrow();
            starting.createSchema(); // with DDL sent, this fails after lock_wait_timeout (1205)
            assertThat(starting.jobLock().tryAcquire("schema-while-held-other", Duration.ofSeconds(30)))
                    .as("the new client works while the lease is held")
                    .isPresent();
            assertThat(held.release()).isTrue();
        }
    }

    @Test
    void theServerEndsASilentHoldersSessionAfterItsIdleTransactionTimeout() throws Exception {
        try (MariaDbBackend a = client(Duration.ofMillis(100), 4);
                MariaDbBackend b = client(Duration.ofMillis(100), 4)) {
            String key = "silent-holder";
            Lease silent = a.jobLock().tryAcquire(key, Duration.ofMillis(1500)).orElseThrow(); // 2 s
            CountDownLatch lost = new CountDownLatch(1);
            silent.onLost(l -> lost.countDown());
            assertThat(b.jobLock().tryAcquire(key, Duration.ofSeconds(30)))
                    .as("L1: held")
                    .isEmpty();
            // Nothing is sent on the lease's session: the server ends it after 2 s idle in its transaction.
            Optional<Lease> next = b.jobLock().acquire(key, Duration.ofSeconds(30), Duration.ofSeconds(30));
            assertThat(next)
                    .as("L4: the key is free once the server ended the silent holder's session")
                    .isPresent();
            assertThat(next.get().token()).as("L2").isGreaterThan(silent.token());
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
    void aWaiterIsGrantedTheRowByTheReleaseNotByAPoll() throws Exception {
        Duration maxWait = Duration.ofSeconds(40);
        try (MariaDbBackend holder = client(Duration.ofMillis(100), 4);
                MariaDbBackend waiter = client(Duration.ofMinutes(1), 4)) {
            String key = "granted-by-release";
            Lease held =
                    holder.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
            CompletableFuture<Optional<Lease>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return waiter.jobLock().acquire(key, Duration.ofSeconds(30), maxWait);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500); // the waiter waits on the row, for a slice of 40 s (pollInterval 1 min)
            assertThat(waiting).as("the waiter waits while the key is held").isNotDone();
            long releasing = System.nanoTime();
            assertThat(held.release()).isTrue();
            Lease got = waiting.get(maxWait.toSeconds() + 10, TimeUnit.SECONDS).orElseThrow();
            assertThat(Duration.ofNanos(System.nanoTime() - releasing))
                    .as("L7: the waiter, waiting in one slice of 40 s, returned only when its wait was half"
                            + " over: it was not granted the row by the release")
                    .isLessThan(maxWait.dividedBy(2));
            assertThat(got.token()).as("L2").isGreaterThan(held.token());
            assertThat(got.release()).isTrue();
        }
    }

    @Test
    void withTwoConnectionsAHolderCanStillWriteItsResult() throws Exception {
        try (MariaDbBackend two = client(Duration.ofMillis(100), 2)) {
            Lease lease = two.jobLock()
                    .tryAcquire("two-connections", Duration.ofSeconds(30))
                    .orElseThrow();
            assertThat(two.versionedUpdate().create("two-connections-result", new byte[] {7}, lease.token()))
                    .isPresent();
            assertThat(lease.isValid()).isTrue();
            assertThat(lease.release()).isTrue();
        }
    }

    @Test
    void aKeyNeverSeenBeforeIsGrantedOnTheFirstTry() throws Exception {
        try (MariaDbBackend a = client(Duration.ofMillis(100), 4);
                MariaDbBackend b = client(Duration.ofMillis(100), 4)) {
            for (String key : new String[] {"never-seen-" + System.nanoTime(), "é".repeat(128)}) { // 256 bytes
                Lease first =
                        a.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
                assertThat(b.jobLock().tryAcquire(key, Duration.ofSeconds(30)))
                        .as("L1: %s", key)
                        .isEmpty();
                assertThat(first.release()).isTrue();
                Lease second =
                        b.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
                assertThat(second.token()).isGreaterThan(first.token());
                assertThat(second.release()).isTrue();
            }
        }
    }

    @Test
    void theLeaseSessionGoesBackToThePoolInAutocommit() throws Exception {
        try (MariaDbBackend two = client(Duration.ofMillis(100), 2);
                MariaDbBackend other = client(Duration.ofMillis(100), 4)) {
            Lease lease = two.jobLock()
                    .tryAcquire("autocommit-after", Duration.ofSeconds(30))
                    .orElseThrow();
            int leaseSession = ((PinnedLease) lease).session().pid();
            assertThat(lease.release()).isTrue();
            // The pool prefers a session already in autocommit for a statement; with both of its two
            // connections lent for statements at once, the lease's is one of them, switched back.
            long[] state = two.pool()
                    .call("hold the other session", outer -> two.pool().call("read the session", h -> h.createQuery(
                                    "SELECT CONNECTION_ID(), @@autocommit, @@in_transaction")
                            .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)})
                            .one()));
            assertThat(state[0]).as("the lease's session").isEqualTo(Integer.toUnsignedLong(leaseSession));
            assertThat(state[1]).as("@@autocommit").isEqualTo(1);
            assertThat(state[2]).as("@@in_transaction").isZero();
            // A write on that pool is committed: another client sees it.
            assertThat(two.versionedUpdate().create("autocommit-after-result", new byte[] {3}))
                    .isPresent();
            assertThat(other.versionedUpdate().read("autocommit-after-result"))
                    .hasValueSatisfying(v -> assertThat(v.value()).containsExactly(3));
            // And the next lease on the same pool works as the first did.
            Lease again = two.jobLock()
                    .tryAcquire("autocommit-after", Duration.ofSeconds(30))
                    .orElseThrow();
            assertThat(again.token()).isGreaterThan(lease.token());
            assertThat(again.release()).isTrue();
        }
    }
}
