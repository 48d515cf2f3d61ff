package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.postgresql.PostgresBackend.Variant;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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
