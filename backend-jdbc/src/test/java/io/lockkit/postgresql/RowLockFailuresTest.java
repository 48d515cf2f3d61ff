package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.jdbc.internal.Waiters;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The row-lock variant when a statement fails inside a lease's transaction: the failure aborts the
 * transaction, and PostgreSQL ends its row lock at once, before anyone sends a ROLLBACK. Found by the
 * adversarial review of the row lock's wait markers. Backend-specific: the kit cannot make a
 * statement fail inside a lease's transaction; here a failing statement on the lease's own
 * connection stands in for a cancelled or timed-out extend.
 */
class RowLockFailuresTest {
    private static final Duration GUARD = Duration.ofSeconds(30);
    private static Fixture fixture;

    @BeforeAll
    static void schema() {
        fixture = new Fixture();
    }

    @AfterAll
    static void drop() {
        fixture.close();
    }

    /** L1, L5: an extend that fails in the lease's transaction reports the lease lost, not still held. */
    @Test
    void anExtendThatFailsInTheLeasesTransactionLosesTheLease() throws Exception {
        PostgresBackend holder = fixture.client(Variant.ROWLOCK);
        PostgresBackend other =
                fixture.builder(Variant.ROWLOCK, "lockkit-rowlock-other").build();
        try (other) {
            String key = "extend-fails-" + UUID.randomUUID();
            Lease lease = holder.jobLock().tryAcquire(key, GUARD).orElseThrow();
            abortTransaction(lease);

            assertThat(lease.extend(GUARD))
                    .as("an extend whose statement fails in the aborted transaction: the row lock is gone")
                    .isFalse();
            assertThat(lease.isValid())
                    .as("the lease is lost with its row lock")
                    .isFalse();
            Lease next = other.jobLock().tryAcquire(key, GUARD).orElseThrow();
            assertThat(next.token()).isGreaterThan(lease.token());
            assertThat(next.release()).isTrue();
            assertThat(lease.release())
                    .as("a lost lease has nothing left to release")
                    .isFalse();
        }
    }

    /**
     * L3, L7: a release whose transaction had already failed does not throw (the lock ended with the
     * failure: false) and wakes the key's waiters, which the failed transaction could not notify.
     * The waiter's poll is taken away, so only that wake-up brings it the key within the guard.
     */
    @Test
    void aReleaseAfterItsTransactionFailedWakesTheWaiters() throws Exception {
        try (PostgresBackend holder = fixture.builder(Variant.ROWLOCK, "lockkit-rowlock-holder")
                        .waitFallback(Duration.ofMinutes(10))
                        .build();
                PostgresBackend waiting = fixture.builder(Variant.ROWLOCK, "lockkit-rowlock-waiting")
                        .waitFallback(Duration.ofMinutes(10))
                        .build()) {
            String key = "release-fails-" + UUID.randomUUID();
            Lease lease =
                    holder.jobLock().tryAcquire(key, Duration.ofMinutes(10)).orElseThrow();
            CompletableFuture<Optional<Lease>> got = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    got.complete(waiting.jobLock().acquire(key, Duration.ofMinutes(1), Duration.ofMinutes(10)));
                } catch (Throwable t) {
                    got.completeExceptionally(t);
                }
            });
            waiter.start();
            // Parked for a wake-up with the key marked: it tried again after marking and found the row
            // locked, so only a release's wake-up (its poll is 10 minutes) brings it the key.
            int marker = KeyCodec.waitMarker(KeyCodec.markerId(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            long until = System.nanoTime() + GUARD.toNanos();
            while (!(parkedInAwait(waiter) && waiting.watcher().holds(marker)) && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(parkedInAwait(waiter))
                    .as("the waiter waits for a wake-up (Waiters.await)")
                    .isTrue();
            assertThat(waiting.watcher().holds(marker))
                    .as("the waiter's client holds the key's marker")
                    .isTrue();

            abortTransaction(lease);
            assertThat(lease.release())
                    .as("the release of a lease whose transaction had failed: the lock ended with it")
                    .isFalse();
            Lease next = got.get(GUARD.toSeconds(), TimeUnit.SECONDS)
                    .orElseThrow(() -> new AssertionError("the waiter got no lease"));
            assertThat(next.token()).isGreaterThan(lease.token());
            assertThat(next.release()).isTrue();
        }
    }

    /** Whether {@code thread} is parked in {@code Waiters.await}, waiting for a release's wake-up. */
    private static boolean parkedInAwait(Thread thread) {
        Thread.State state = thread.getState();
        return (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
                && Arrays.stream(thread.getStackTrace())
                        .anyMatch(f -> f.getClassName().equals(Waiters.class.getName())
                                && f.getMethodName().equals("await"));
    }

    /** Makes the lease's transaction fail, as a cancelled or timed-out statement would. */
    private static void abortTransaction(Lease lease) throws SQLException {
        Connection c = ((SessionLease) lease).session().handle().getConnection();
        try (Statement st = c.createStatement()) {
            st.execute("SELECT 1/0");
            throw new AssertionError("1/0 did not fail");
        } catch (SQLException expected) {
            assertThat(expected.getSQLState()).isEqualTo("22012");
        }
        try (Connection probe =
                        PostgresTestServer.dataSource("lockkit-rowlock-probe").getConnection();
                Statement st = probe.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in" + " transaction (aborted)'")) {
            rs.next();
            assertThat(rs.getLong(1))
                    .as("the lease's session is idle in an aborted transaction")
                    .isPositive();
        }
    }
}
