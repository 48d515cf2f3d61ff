package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.BackendUnavailableException;
import io.lockkit.Lease;
import io.lockkit.LockKitException;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;

/** What only the session variants promise: the server's idle timeout is the lease, no stacking, close ends them. */
class SessionLeaseTest {
    @ParameterizedTest
    @EnumSource(
            value = Variant.class,
            names = {"ADVISORY", "ROWLOCK"})
    void l4_theServerEndsASilentHoldersSessionAfterTheLease(Variant variant) throws Exception {
        try (Fixture f = new Fixture()) {
            PostgresBackend a = f.client(variant);
            PostgresBackend b = f.client(variant);
            Lease silent = a.jobLock().tryAcquire("k", Duration.ofMillis(400)).orElseThrow();
            CountDownLatch lost = new CountDownLatch(1);
            silent.onLost(l -> lost.countDown());
            Optional<Lease> next = b.jobLock().acquire("k", Duration.ofSeconds(30), Duration.ofSeconds(10));
            assertThat(next).isPresent();
            assertThat(silent.isValid()).isFalse();
            assertThat(lost.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(next.get().token()).isGreaterThan(silent.token());
            assertThat(silent.release()).isFalse();
            assertThat(next.get().isValid()).isTrue();
            assertThat(next.get().release()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Variant.class,
            names = {"ADVISORY", "ROWLOCK"})
    void extendKeepsTheSessionPastTheFirstLease(Variant variant) throws Exception {
        try (Fixture f = new Fixture()) {
            PostgresBackend a = f.client(variant);
            PostgresBackend b = f.client(variant);
            Lease lease = a.jobLock().tryAcquire("k", Duration.ofMillis(400)).orElseThrow();
            for (int i = 0; i < 4; i++) {
                Thread.sleep(200);
                assertThat(lease.extend(Duration.ofMillis(400))).isTrue();
            }
            assertThat(b.jobLock().tryAcquire("k", Duration.ofSeconds(1))).isEmpty();
            assertThat(lease.release()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Variant.class,
            names = {"ADVISORY", "ROWLOCK"})
    void aRejectedExtendLeavesTheLeaseUsable(Variant variant) throws Exception {
        try (Fixture f = new Fixture()) {
            PostgresBackend a = f.client(variant);
            Lease lease = a.jobLock().tryAcquire("k", Duration.ofSeconds(30)).orElseThrow();
            // the server's idle timeouts are an int of milliseconds: 30 days is out of range (22023)
            assertThatThrownBy(() -> lease.extend(Duration.ofDays(30)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("PT720H");
            assertThat(lease.isValid()).isTrue();
            assertThat(lease.extend(Duration.ofSeconds(30)))
                    .as("no aborted transaction (25P02)")
                    .isTrue();
            assertThat(f.client(variant).jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                    .isEmpty();
            assertThat(lease.release()).isTrue();
            f.client(variant)
                    .jobLock()
                    .tryAcquire("k", Duration.ofSeconds(5))
                    .orElseThrow()
                    .release();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Variant.class,
            names = {"ADVISORY", "ROWLOCK"})
    void aSecondAcquireByTheSameClientDoesNotStack(Variant variant) throws Exception {
        try (Fixture f = new Fixture()) {
            PostgresBackend a = f.client(variant);
            Lease lease = a.jobLock().tryAcquire("k", Duration.ofSeconds(30)).orElseThrow();
            assertThat(a.jobLock().tryAcquire("k", Duration.ofSeconds(30))).isEmpty();
            assertThat(lease.release()).isTrue();
            // had the second acquire stacked, one unlock would have left the key held
            a.jobLock().tryAcquire("k", Duration.ofSeconds(30)).orElseThrow().release();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Variant.class,
            names = {"ADVISORY", "ROWLOCK"})
    void l1_anAcquireThatFailsAfterTheLockWasTakenLeavesNoLockOnThePooledSession(Variant variant) {
        try (Fixture f = new Fixture()) {
            PostgresBackend a = f.client(variant);
            PostgresBackend b = f.client(variant);
            String sequence = f.tables.tokenSequence();
            // nextval fails after the lock was taken in the same statement (as 42501 or 42704 would)
            PostgresTestServer.execute("SELECT setval('" + sequence + "', 100)");
            PostgresTestServer.execute("ALTER SEQUENCE " + sequence + " MAXVALUE 100");
            assertThatThrownBy(() -> a.jobLock().tryAcquire("k", Duration.ofSeconds(30)))
                    .isInstanceOf(LockKitException.class)
                    .hasMessageContaining("2200H");
            PostgresTestServer.execute("ALTER SEQUENCE " + sequence + " NO MAXVALUE");
            Lease lease = b.jobLock()
                    .tryAcquire("k", Duration.ofSeconds(30))
                    .orElseThrow(() -> new AssertionError("the failed acquire left the lock on a pooled session"));
            assertThat(lease.release()).isTrue();
        }
    }

    @Test
    void aKeyNamedCreateSchemaInTheDefaultNamespaceDoesNotTakeCreateSchemasLock() {
        try (Fixture f = new Fixture();
                PostgresBackend holder = PostgresBackend.builder(PostgresTestServer.dataSource("lockkit-test-ids"))
                        .variant(Variant.ADVISORY)
                        .tables(f.tables)
                        .build();
                PostgresBackend other = PostgresBackend.builder(PostgresTestServer.dataSource("lockkit-test-ids"))
                        .tables(f.tables)
                        .networkTimeout(Duration.ofSeconds(2))
                        .build()) {
            assertThat(holder.namespace()).isEqualTo(PostgresBackend.DEFAULT_NAMESPACE);
            Lease lease = holder.jobLock()
                    .tryAcquire("create-schema", Duration.ofSeconds(30))
                    .orElseThrow();
            other.createSchema(); // took the key's id before: blocked until the network timeout
            assertThat(lease.release()).isTrue();
        }
    }

    @Test
    void l4_theAdvisoryVariantNeedsPostgres14() throws Exception {
        AdvisoryJobLock.requireAdvisorySupport(140000);
        assertThatThrownBy(() -> AdvisoryJobLock.requireAdvisorySupport(130011))
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining("PostgreSQL 14")
                .hasMessageContaining("130011");
        try (Fixture f = new Fixture()) {
            // built against the test server (14 or later): checked once, at build
            f.client(Variant.ADVISORY)
                    .jobLock()
                    .tryAcquire("k", Duration.ofSeconds(5))
                    .orElseThrow()
                    .release();
        }
        // an unreachable server is no error at build (E2): each call reports it
        try (PostgresBackend unreachable = PostgresBackend.builder(PostgresTestServer.unreachable())
                .variant(Variant.ADVISORY)
                .build()) {
            assertThatThrownBy(() -> unreachable.jobLock().tryAcquire("k", Duration.ofSeconds(5)))
                    .isInstanceOf(BackendUnavailableException.class);
        }
    }

    @Test
    void l5_aLeaseIsLostWhenItsSessionEndedEvenThoughAnotherSessionGotItsPid() throws Exception {
        try (Fixture f = new Fixture();
                Connection other =
                        PostgresTestServer.dataSource("lockkit-test-pid-reuse").getConnection();
                Statement s = other.createStatement();
                ResultSet rs = s.executeQuery(Sql.SESSION_START)) {
            rs.next();
            int pid = other.unwrap(PGConnection.class).getBackendPID();
            long started = rs.getLong(1);
            PostgresBackend a = f.client(Variant.ADVISORY);
            // the lease's session ended and the server gave its pid to `other`, which started later
            TestWatched ended = new TestWatched(pid, started - 1);
            TestWatched live = new TestWatched(pid, started);
            a.watcher().watch(ended);
            a.watcher().watch(live);
            try {
                assertThat(ended.lost.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(live.lost.getCount())
                        .as("checked in the same pass, and alive")
                        .isEqualTo(1);
            } finally {
                a.watcher().unwatch(ended);
                a.watcher().unwatch(live);
            }
        }
    }

    /** A watched session lease reduced to its session's name. */
    private static final class TestWatched implements Watcher.Watched {
        final CountDownLatch lost = new CountDownLatch(1);
        private final int pid;
        private final long started;

        TestWatched(int pid, long started) {
            this.pid = pid;
            this.started = started;
        }

        @Override
        public int pid() {
            return pid;
        }

        @Override
        public long started() {
            return started;
        }

        @Override
        public void sessionEnded() {
            lost.countDown();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Variant.class,
            names = {"ADVISORY", "ROWLOCK"})
    void closingTheClientEndsItsSessionLeases(Variant variant) throws Exception {
        try (Fixture f = new Fixture()) {
            PostgresBackend a = f.client(variant);
            Lease lease = a.jobLock().tryAcquire("k", Duration.ofSeconds(30)).orElseThrow();
            a.close();
            assertThat(lease.isValid()).isFalse();
            assertThat(f.client(variant).jobLock().acquire("k", Duration.ofSeconds(5), Duration.ofSeconds(5)))
                    .isPresent();
        }
    }
}
