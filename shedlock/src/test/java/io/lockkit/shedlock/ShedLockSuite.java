package io.lockkit.shedlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Lease;
import io.lockkit.tck.TckTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.ExtensibleLockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.test.support.AbstractExtensibleLockProviderIntegrationTest;
import org.junit.jupiter.api.Test;

/**
 * ShedLock's own provider suite (the abstract provider and extensible-provider integration tests and
 * the fuzz tester, ported unchanged) on one lockkit backend, plus what lockkit adds: the release is
 * owner-checked, the run's fencing token is reachable, bad input and an unreachable store are
 * reported as such. A subclass per backend opens its target once.
 */
abstract class ShedLockSuite extends AbstractExtensibleLockProviderIntegrationTest {
    private static final Duration PROBE = Duration.ofSeconds(1);

    /** The target's clients for one test class: the provider's, and a probe that plays another node. */
    record Clients(TckTarget target, Backend owner, Backend probe, LockKitLockProvider provider)
            implements AutoCloseable {
        static Clients open(TckTarget target) {
            Backend owner = target.newClient();
            return new Clients(target, owner, target.newClient(), new LockKitLockProvider(owner));
        }

        @Override
        public void close() {
            provider.close();
            owner.close();
            probe.close();
            target.close();
        }
    }

    abstract Clients clients();

    @Override
    protected ExtensibleLockProvider getLockProvider() {
        return clients().provider();
    }

    @Override
    protected void assertLocked(String lockName) {
        Optional<Lease> other = clients().probe().jobLock().tryAcquire(lockName, PROBE);
        other.ifPresent(Lease::release);
        assertThat(other)
                .as("another node's try on '%s' while it is locked", lockName)
                .isEmpty();
    }

    @Override
    protected void assertUnlocked(String lockName) {
        Optional<Lease> other = clients().probe().jobLock().tryAcquire(lockName, PROBE);
        other.ifPresent(Lease::release);
        assertThat(other)
                .as("another node's try on '%s' once it is free", lockName)
                .isPresent();
    }

    /**
     * The zombie run (the race comparison's scenario 8 through ShedLock): A's lockAtMostFor passes
     * while A's task goes on, B locks, then A's unlock comes. ShedLock's storage providers clear the
     * row by name and free B's lock; this one leaves B holding it.
     */
    @Test
    void aLateUnlockOfAnExpiredRunNeverFreesTheNextRun() throws Exception {
        String name = "zombie-" + UUID.randomUUID();
        Duration shortest = clients().owner().jobLock().leaseLimits().shortest();
        Duration atMost = shortest.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : shortest;
        SimpleLock a = getLockProvider()
                .lock(new LockConfiguration(ClockProvider.now(), name, atMost, Duration.ZERO))
                .orElseThrow();
        Lease b = null;
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (b == null && System.nanoTime() < until) {
            b = clients()
                    .probe()
                    .jobLock()
                    .tryAcquire(name, Duration.ofSeconds(30))
                    .orElse(null);
            if (b == null) {
                Thread.sleep(20);
            }
        }
        assertThat(b).as("B locks once A's lockAtMostFor has passed").isNotNull();
        a.unlock();
        assertThat(b.isValid()).isTrue();
        assertThat(getLockProvider().lock(lockConfig(name)))
                .as("after A's late unlock, '%s' is still B's", name)
                .isEmpty();
        assertThat(b.release()).as("B's release frees B's own lease").isTrue();
    }

    /**
     * The run's lease, with its fencing token, is reachable from inside the task, and not after it
     * (on a thread of its own: ShedLock's suite leaves locks it never unlocks on the test thread).
     */
    @Test
    void theTaskSeesItsLeaseAndEachRunGetsALargerToken() throws Exception {
        String name = "token-" + UUID.randomUUID();
        DefaultLockingTaskExecutor executor = new DefaultLockingTaskExecutor(getLockProvider());
        List<Long> tokens = new ArrayList<>();
        List<Optional<Lease>> after = new ArrayList<>();
        Thread runs = new Thread(() -> {
            for (int run = 0; run < 3; run++) {
                executor.executeWithLock(
                        (Runnable) () -> {
                            Lease lease = LockKitLockProvider.currentLease().orElseThrow();
                            if (lease.key().equals(name) && lease.isValid()) {
                                tokens.add(lease.token());
                            }
                        },
                        lockConfig(name));
                after.add(LockKitLockProvider.currentLease());
            }
        });
        runs.start();
        runs.join(Duration.ofSeconds(30).toMillis());
        assertThat(tokens)
                .as("each run saw its own valid lease on '%s'", name)
                .hasSize(3)
                .isSorted()
                .doesNotHaveDuplicates();
        assertThat(after).as("no lease outside a locked task").containsOnly(Optional.empty());
    }

    /**
     * ShedLock's {@code KeepAliveLockProvider} extends a run's lock from its own scheduler thread
     * (at half of lockAtMostFor; its public constructor needs 30 s, so the test extends the same way
     * itself): the task's {@code currentLease()} keeps the run's lease, and so does the lease of the
     * lock each extend returns.
     */
    @Test
    void anExtendFromAnotherThreadKeepsTheTasksLease() throws Exception {
        String name = "kept-" + UUID.randomUUID();
        SimpleLock first = getLockProvider()
                .lock(new LockConfiguration(ClockProvider.now(), name, Duration.ofSeconds(30), Duration.ZERO))
                .orElseThrow();
        Lease lease = LockKitLockProvider.currentLease().orElseThrow();
        assertThat(LockKitLockProvider.leaseOf(first)).contains(lease);
        java.util.concurrent.atomic.AtomicReference<SimpleLock> extended =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread keepAlive = new Thread(() ->
                extended.set(first.extend(Duration.ofSeconds(30), Duration.ZERO).orElseThrow()));
        keepAlive.start();
        keepAlive.join(Duration.ofSeconds(30).toMillis());
        assertThat(extended.get()).isNotNull();
        assertThat(LockKitLockProvider.currentLease())
                .as("the task's lease after an extend from another thread")
                .contains(lease);
        assertThat(LockKitLockProvider.leaseOf(extended.get())).contains(lease);
        extended.get().unlock();
        assertThat(LockKitLockProvider.currentLease())
                .as("no longer the task's lease once unlocked")
                .isNotEqualTo(Optional.of(lease));
        assertUnlocked(name);
    }

    /**
     * ShedLock's time for a lock shorter than the store's shortest lease runs out while an extend
     * races the release that ends it: either the extend wins (the lock stays held and extended) or
     * the release does (the extend is refused); never an extended lock whose lease was released.
     */
    @Test
    void anExtendRacingTheEndOfAShortLockNeverReturnsAReleasedLease() throws Exception {
        Duration shortest = clients().owner().jobLock().leaseLimits().shortest();
        for (int i = 0; i < 20; i++) {
            String name = "short-" + UUID.randomUUID();
            Duration atMost = shortest.dividedBy(2);
            SimpleLock lock = getLockProvider()
                    .lock(new LockConfiguration(ClockProvider.now(), name, atMost, Duration.ZERO))
                    .orElseThrow();
            Thread.sleep(Math.max(0, atMost.toMillis() - 1 + (i % 3)));
            Optional<SimpleLock> extended = lock.extend(Duration.ofSeconds(30), Duration.ZERO);
            if (extended.isPresent()) {
                Lease lease = LockKitLockProvider.leaseOf(extended.get()).orElseThrow();
                assertThat(lease.isValid())
                        .as("an extended lock's lease is valid")
                        .isTrue();
                assertLocked(name);
                extended.get().unlock();
                assertUnlocked(name);
            } else {
                // refused: ShedLock's time was up, and the release that ends it is one round trip away
                assertFreeWithin(name, Duration.ofSeconds(2));
            }
        }
    }

    private void assertFreeWithin(String name, Duration atMost) throws InterruptedException {
        long until = System.nanoTime() + atMost.toNanos();
        Optional<Lease> other = clients().probe().jobLock().tryAcquire(name, PROBE);
        while (other.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(5);
            other = clients().probe().jobLock().tryAcquire(name, PROBE);
        }
        other.ifPresent(Lease::release);
        assertThat(other)
                .as("'%s' is free once the refused lock's release has gone through", name)
                .isPresent();
    }

    /** E1: a lockAtMostFor beyond the longest lease is refused naming the value, and nothing is held. */
    @Test
    void aLockAtMostForBeyondTheLongestLeaseIsRefusedAndNothingIsHeld() {
        String name = "too-long-" + UUID.randomUUID();
        Duration thousandYears = Duration.ofDays(365L * 1000);
        assertThatThrownBy(() -> getLockProvider()
                        .lock(new LockConfiguration(ClockProvider.now(), name, thousandYears, Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was " + thousandYears);
        assertUnlocked(name);
    }

    /** E2: a store that cannot be reached is an error, never "locked by another node". */
    @Test
    void anUnreachableStoreIsAnErrorNotALockHeldElsewhere() {
        try (Backend unreachable = clients().target().faults().unreachableClient();
                LockKitLockProvider provider = new LockKitLockProvider(unreachable)) {
            assertThatThrownBy(() -> provider.lock(lockConfig("unreachable-" + UUID.randomUUID())))
                    .isInstanceOf(BackendUnavailableException.class);
        }
    }
}
