package io.lockkit.spring.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Lease;
import io.lockkit.tck.TckTarget;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Spring Integration's lock registry tests on one lockkit backend, then lockkit's additions.
 *
 * <p>Ported from Spring Integration's tag {@code v6.5.3} (Apache License 2.0; Spring Integration
 * publishes no test support for lock registries): every test of {@code
 * spring-integration-jdbc/src/test/java/org/springframework/integration/jdbc/lock/JdbcLockRegistryTests.java}
 * but {@code noTableThrowsExceptionOnStart} (JDBC's own schema), and the two {@code executeLocked}
 * tests of {@code
 * spring-integration-core/src/test/java/org/springframework/integration/support/locks/DefaultLockRegistryTests.java}.
 * The same cases appear in the Redis and ZooKeeper registries' tests. What changed in the port: the
 * registry under test is lockkit's, built on the target's clients ({@code registry} on one client,
 * {@code registry2} on another, as a second process); the internal {@code locks} map is read the
 * same way ({@link #locks}); Spring turns keys into UUIDs while lockkit uses them as they are (so
 * {@code toUUID(key)} is the key); JDBC's 1 ms and 100 ms time-to-live become the backend's shortest
 * lease, with the sleeps grown to match.
 */
abstract class LockRegistrySuite {
    /** The target's clients for one test class: two, as two processes. */
    record Clients(TckTarget target, Backend first, Backend second) implements AutoCloseable {
        static Clients open(TckTarget target) {
            return new Clients(target, target.newClient(), target.newClient());
        }

        @Override
        public void close() {
            first.close();
            second.close();
            target.close();
        }
    }

    abstract Clients clients();

    private final AsyncTaskExecutor taskExecutor = new SimpleAsyncTaskExecutor();
    private LockKitLockRegistry registry;

    @BeforeEach
    void clear() {
        registry = new LockKitLockRegistry(clients().first());
    }

    @AfterEach
    void expire() {
        registry.expireUnusedOlderThan(0);
    }

    private Duration shortest() {
        return clients().first().jobLock().leaseLimits().shortest();
    }

    // ---- JdbcLockRegistryTests (v6.5.3) ----

    @Test
    void testLock() throws Exception {
        for (int i = 0; i < 10; i++) {
            Lock lock = this.registry.obtain("foo");
            lock.lock();
            try {
                assertThat(locks(this.registry).size()).isEqualTo(1);
            } finally {
                lock.unlock();
            }
        }

        Thread.sleep(10);
        this.registry.expireUnusedOlderThan(0);
        assertThat(locks(this.registry).size()).isEqualTo(0);
    }

    @Test
    void testLockInterruptibly() throws Exception {
        for (int i = 0; i < 10; i++) {
            Lock lock = this.registry.obtain("foo");
            lock.lockInterruptibly();
            try {
                assertThat(locks(this.registry).size()).isEqualTo(1);
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void testReentrantLock() {
        for (int i = 0; i < 10; i++) {
            Lock lock1 = this.registry.obtain("foo");
            lock1.lock();
            try {
                Lock lock2 = this.registry.obtain("foo");
                assertThat(lock2).isSameAs(lock1);
                lock2.lock();
                lock2.unlock();
            } finally {
                lock1.unlock();
            }
        }
    }

    @Test
    void testReentrantLockInterruptibly() throws Exception {
        for (int i = 0; i < 10; i++) {
            Lock lock1 = this.registry.obtain("foo");
            lock1.lockInterruptibly();
            try {
                Lock lock2 = this.registry.obtain("foo");
                assertThat(lock2).isSameAs(lock1);
                lock2.lockInterruptibly();
                lock2.unlock();
            } finally {
                lock1.unlock();
            }
        }
    }

    /**
     * JDBC: a time-to-live of 1 ms and 100 ms of sleep; here the shortest lease and a sleep past it.
     * The reentrant {@code tryLock} finds the lease ended and takes a new one, as JDBC's re-inserts its
     * row; the outer {@code unlock} then releases that new lease.
     */
    @Test
    void testReentrantLockAfterExpiration() throws Exception {
        LockKitLockRegistry registry = new LockKitLockRegistry(clients().first(), shortest());
        Lock lock1 = registry.obtain("foo");
        assertThat(lock1.tryLock()).isTrue();
        Thread.sleep(shortest().multipliedBy(2).toMillis() + 100);
        try {
            Lock lock2 = registry.obtain("foo");
            assertThat(lock2).isSameAs(lock1);
            assertThat(lock2.tryLock()).isTrue();
            lock2.unlock();
        } finally {
            lock1.unlock();
        }
    }

    @Test
    void testTwoLocks() throws Exception {
        for (int i = 0; i < 10; i++) {
            Lock lock1 = this.registry.obtain("foo");
            lock1.lockInterruptibly();
            try {
                Lock lock2 = this.registry.obtain("bar");
                assertThat(lock2).isNotSameAs(lock1);
                lock2.lockInterruptibly();
                lock2.unlock();
            } finally {
                lock1.unlock();
            }
        }
    }

    @Test
    void testTwoThreadsSecondFailsToGetLock() throws Exception {
        final Lock lock1 = this.registry.obtain("foo");
        lock1.lockInterruptibly();
        final AtomicBoolean locked = new AtomicBoolean();
        final CountDownLatch latch = new CountDownLatch(1);
        Future<Object> result = this.taskExecutor.submit(() -> {
            Lock lock2 = LockRegistrySuite.this.registry.obtain("foo");
            locked.set(lock2.tryLock(200, TimeUnit.MILLISECONDS));
            latch.countDown();
            try {
                lock2.unlock();
            } catch (Exception e) {
                return e;
            }
            return null;
        });
        assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(locked.get()).isFalse();
        lock1.unlock();
        Object ise = result.get(10, TimeUnit.SECONDS);
        assertThat(ise).isInstanceOf(IllegalMonitorStateException.class);
        assertThat(((Exception) ise).getMessage()).contains("own");
    }

    @Test
    void testTwoThreads() throws Exception {
        final Lock lock1 = this.registry.obtain("foo");
        final AtomicBoolean locked = new AtomicBoolean();
        final CountDownLatch latch1 = new CountDownLatch(1);
        final CountDownLatch latch2 = new CountDownLatch(1);
        final CountDownLatch latch3 = new CountDownLatch(1);
        lock1.lockInterruptibly();
        this.taskExecutor.execute(() -> {
            Lock lock2 = LockRegistrySuite.this.registry.obtain("foo");
            try {
                latch1.countDown();
                lock2.lockInterruptibly();
                latch2.await(10, TimeUnit.SECONDS);
                locked.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock2.unlock();
                latch3.countDown();
            }
        });
        assertThat(latch1.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(locked.get()).isFalse();
        lock1.unlock();
        latch2.countDown();
        assertThat(latch3.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(locked.get()).isTrue();
    }

    @Test
    void testTwoThreadsDifferentRegistries() throws Exception {
        for (int i = 0; i < 100; i++) {

            final LockKitLockRegistry registry1 =
                    new LockKitLockRegistry(clients().first());
            final LockKitLockRegistry registry2 =
                    new LockKitLockRegistry(clients().second());
            final Lock lock1 = registry1.obtain("foo");
            final AtomicBoolean locked = new AtomicBoolean();
            final CountDownLatch latch1 = new CountDownLatch(1);
            final CountDownLatch latch2 = new CountDownLatch(1);
            final CountDownLatch latch3 = new CountDownLatch(1);
            lock1.lockInterruptibly();
            this.taskExecutor.execute(() -> {
                Lock lock2 = registry2.obtain("foo");
                try {
                    latch1.countDown();
                    lock2.lockInterruptibly();
                    latch2.await(10, TimeUnit.SECONDS);
                    locked.set(true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    lock2.unlock();
                    latch3.countDown();
                }
            });
            assertThat(latch1.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(locked.get()).isFalse();
            lock1.unlock();
            latch2.countDown();
            assertThat(latch3.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(locked.get()).isTrue();
        }
    }

    @Test
    void testTwoThreadsWrongOneUnlocks() throws Exception {
        final Lock lock = this.registry.obtain("foo");
        lock.lockInterruptibly();
        final AtomicBoolean locked = new AtomicBoolean();
        final CountDownLatch latch = new CountDownLatch(1);
        Future<Object> result = this.taskExecutor.submit(() -> {
            try {
                lock.unlock();
            } catch (Exception e) {
                latch.countDown();
                return e;
            }
            return null;
        });
        assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(locked.get()).isFalse();
        lock.unlock();
        Object imse = result.get(10, TimeUnit.SECONDS);
        assertThat(imse).isInstanceOf(IllegalMonitorStateException.class);
        assertThat(((Exception) imse).getMessage()).contains("own");
    }

    @Test
    void testLockRenew() {
        final Lock lock = this.registry.obtain("foo");

        assertThat(lock.tryLock()).isTrue();
        try {
            registry.renewLock("foo");
        } finally {
            lock.unlock();
        }
    }

    @Test
    void testLockRenewLockNotOwned() {
        this.registry.obtain("foo");

        assertThatExceptionOfType(IllegalMonitorStateException.class).isThrownBy(() -> registry.renewLock("foo"));
    }

    @Test
    void concurrentObtainCapacityTest() throws InterruptedException {
        final int KEY_CNT = 500;
        final int CAPACITY_CNT = 179;
        final int THREAD_CNT = 4;

        final CountDownLatch countDownLatch = new CountDownLatch(THREAD_CNT);
        registry.setCacheCapacity(CAPACITY_CNT);
        final ExecutorService executorService = Executors.newFixedThreadPool(THREAD_CNT);

        for (int i = 0; i < KEY_CNT; i++) {
            int finalI = i;
            executorService.submit(() -> {
                countDownLatch.countDown();
                try {
                    countDownLatch.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                String keyId = "foo:" + finalI;
                Lock obtain = registry.obtain(keyId);
                obtain.lock();
                obtain.unlock();
            });
        }
        executorService.shutdown();
        // lockkit: 5 s in Spring's test; a store's 1000 round trips on a shared machine get 60
        assertThat(executorService.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        // capacity limit test
        assertThat(locks(registry)).hasSize(CAPACITY_CNT);

        registry.expireUnusedOlderThan(-1000);
        assertThat(locks(registry)).isEmpty();
    }

    @Test
    void concurrentObtainRemoveOrderTest() throws InterruptedException {
        final int THREAD_CNT = 2;
        final int DUMMY_LOCK_CNT = 3;

        final int CAPACITY_CNT = THREAD_CNT;

        final CountDownLatch countDownLatch = new CountDownLatch(THREAD_CNT);
        registry.setCacheCapacity(CAPACITY_CNT);
        final ExecutorService executorService = Executors.newFixedThreadPool(THREAD_CNT);
        final Queue<String> remainLockCheckQueue = new LinkedBlockingQueue<>();

        // Removed due to capcity limit
        for (int i = 0; i < DUMMY_LOCK_CNT; i++) {
            Lock obtainLock0 = registry.obtain("foo:" + i);
            obtainLock0.lock();
            obtainLock0.unlock();
        }

        for (int i = DUMMY_LOCK_CNT; i < THREAD_CNT + DUMMY_LOCK_CNT; i++) {
            int finalI = i;
            executorService.submit(() -> {
                countDownLatch.countDown();
                try {
                    countDownLatch.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                String keyId = "foo:" + finalI;
                remainLockCheckQueue.offer(toUUID(keyId));
                Lock obtain = registry.obtain(keyId);
                obtain.lock();
                obtain.unlock();
            });
        }
        executorService.shutdown();
        executorService.awaitTermination(5, TimeUnit.SECONDS);

        assertThat(locks(registry)).containsKeys(remainLockCheckQueue.toArray(new String[remainLockCheckQueue.size()]));
    }

    @Test
    void concurrentObtainAccessRemoveOrderTest() throws InterruptedException {
        final int THREAD_CNT = 2;
        final int DUMMY_LOCK_CNT = 3;

        final int CAPACITY_CNT = THREAD_CNT + 1;
        final String REMAIN_DUMMY_LOCK_KEY = "foo:1";

        final CountDownLatch countDownLatch = new CountDownLatch(THREAD_CNT);
        registry.setCacheCapacity(CAPACITY_CNT);
        final ExecutorService executorService = Executors.newFixedThreadPool(THREAD_CNT);
        final Queue<String> remainLockCheckQueue = new LinkedBlockingQueue<>();

        // Removed due to capcity limit
        for (int i = 0; i < DUMMY_LOCK_CNT; i++) {
            Lock obtainLock0 = registry.obtain("foo:" + i);
            obtainLock0.lock();
            obtainLock0.unlock();
        }

        Lock obtainLock0 = registry.obtain(REMAIN_DUMMY_LOCK_KEY);
        obtainLock0.lock();
        obtainLock0.unlock();
        remainLockCheckQueue.offer(toUUID(REMAIN_DUMMY_LOCK_KEY));

        for (int i = DUMMY_LOCK_CNT; i < THREAD_CNT + DUMMY_LOCK_CNT; i++) {
            int finalI = i;
            executorService.submit(() -> {
                countDownLatch.countDown();
                try {
                    countDownLatch.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                String keyId = "foo:" + finalI;
                remainLockCheckQueue.offer(toUUID(keyId));
                Lock obtain = registry.obtain(keyId);
                obtain.lock();
                obtain.unlock();
            });
        }
        executorService.shutdown();
        executorService.awaitTermination(5, TimeUnit.SECONDS);

        assertThat(locks(registry)).containsKeys(remainLockCheckQueue.toArray(new String[remainLockCheckQueue.size()]));
    }

    @Test
    void setCapacityTest() {
        final int CAPACITY_CNT = 4;
        registry.setCacheCapacity(CAPACITY_CNT);

        registry.obtain("foo:1");
        registry.obtain("foo:2");
        registry.obtain("foo:3");

        // capacity 4->3
        registry.setCacheCapacity(CAPACITY_CNT - 1);

        registry.obtain("foo:4");

        assertThat(locks(registry)).hasSize(3);
        assertThat(locks(registry)).containsKeys(toUUID("foo:2"), toUUID("foo:3"), toUUID("foo:4"));

        // capacity 3->4
        registry.setCacheCapacity(CAPACITY_CNT);
        registry.obtain("foo:5");
        assertThat(locks(registry)).hasSize(4);
        assertThat(locks(registry)).containsKeys(toUUID("foo:3"), toUUID("foo:4"), toUUID("foo:5"));
    }

    /**
     * JDBC: a time-to-live of 100 ms for both processes and a sleep of as much; here process 1 holds
     * the shortest lease (at least 100 ms) and process 2 a long one.
     */
    @Test
    void testUnlockAfterLockStatusHasBeenExpiredAndLockHasBeenAcquiredByAnotherProcess() throws Exception {
        Duration ttl = shortest().compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : shortest();
        LockKitLockRegistry process1Registry = new LockKitLockRegistry(clients().first(), ttl);
        // lockkit: process 2 holds for longer than the sleep-sized ttl; a lockkit release after the
        // lease's deadline reports the lease ended even when nobody took the key (JDBC's delete by
        // owner succeeds then), and process 2's unlock comes after process 1's
        LockKitLockRegistry process2Registry = new LockKitLockRegistry(clients().second(), Duration.ofSeconds(30));
        Lock lock1 = process1Registry.obtain("foo");
        Lock lock2 = process2Registry.obtain("foo");

        lock1.lock();
        Thread.sleep(ttl.toMillis());

        // lockkit: the store may free the key a little after the lease's time (a ZooKeeper client
        // deletes its node on its own clock), so the second process waits for it rather than trying once
        assertThat(lock2.tryLock(10, TimeUnit.SECONDS)).isTrue();

        assertThatExceptionOfType(ConcurrentModificationException.class).isThrownBy(lock1::unlock);
        lock2.unlock();
    }

    /**
     * JDBC: a time-to-live of 100 ms, 200 ms of sleep and the repository's {@code deleteExpired()};
     * here the shortest lease (at least 100 ms) and a sleep past it, after which the store has let
     * the lease go by itself (lockkit has no sweep to call).
     */
    @Test
    void testUnlockAfterLockStatusHasBeenExpiredAndDeleted() throws Exception {
        Duration ttl = shortest().compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : shortest();
        LockKitLockRegistry registry = new LockKitLockRegistry(clients().first(), ttl);
        Lock lock = registry.obtain("foo");
        lock.lock();
        Thread.sleep(ttl.multipliedBy(2).toMillis());
        assertThatExceptionOfType(ConcurrentModificationException.class).isThrownBy(lock::unlock);
    }

    // ---- DefaultLockRegistryTests (v6.5.3), on this registry ----

    @Test
    void cyclicBarrierIsBrokenWhenExecutedConcurrentlyInLock() throws Exception {
        CyclicBarrier cyclicBarrier = new CyclicBarrier(2);
        CountDownLatch brokenBarrierLatch = new CountDownLatch(2);

        Runnable runnableLocked = () -> {
            try {
                registry.executeLocked("lockKey", () -> {
                    try {
                        cyclicBarrier.await(1, TimeUnit.SECONDS);
                    } catch (BrokenBarrierException | TimeoutException e) {
                        brokenBarrierLatch.countDown();
                    }
                });
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        };

        ExecutorService executorService = Executors.newCachedThreadPool();

        executorService.execute(runnableLocked);
        executorService.execute(runnableLocked);

        assertThat(brokenBarrierLatch.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void executeLockedIsTimedOutInOtherThread() throws Exception {
        String lockKey = "lockKey";
        Duration waitLockDuration = Duration.ofMillis(100);

        CountDownLatch timeoutExceptionLatch = new CountDownLatch(1);
        AtomicReference<TimeoutException> exceptionAtomicReference = new AtomicReference<>();

        Runnable runnable = () -> {
            try {
                registry.executeLocked(lockKey, waitLockDuration, () -> Thread.sleep(200));
            } catch (TimeoutException e) {
                exceptionAtomicReference.set(e);
                timeoutExceptionLatch.countDown();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        };

        ExecutorService executorService = Executors.newCachedThreadPool();

        executorService.execute(runnable);
        executorService.execute(runnable);

        assertThat(timeoutExceptionLatch.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(exceptionAtomicReference.get())
                .hasMessage("The lock [%s] was not acquired in time: %s".formatted(lockKey, waitLockDuration));
    }

    // ---- lockkit's additions ----

    /** The holder's lease and fencing token are reachable while it holds the lock, and only then. */
    @Test
    void theHolderSeesItsLeaseAndEachHoldGetsALargerToken() {
        Lock lock = registry.obtain("token");
        long last = 0;
        for (int i = 0; i < 3; i++) {
            lock.lock();
            try {
                Lease lease = registry.currentLease("token").orElseThrow();
                assertThat(lease.key()).isEqualTo("token");
                assertThat(lease.token()).isGreaterThan(last);
                last = lease.token();
            } finally {
                lock.unlock();
            }
            assertThat(registry.currentLease("token")).isEmpty();
        }
    }

    /** With a renewal scheduler, a lock held past its lease stays held, and unlocks cleanly. */
    @Test
    void aScheduledRenewalKeepsALockHeldPastItsLease() throws Exception {
        // a renewal every 500 ms leaves a late tick 0.9 s before the lease (less the drift margin) ends
        Duration lease = Duration.ofMillis(1500);
        LockKitLockRegistry renewing = new LockKitLockRegistry(clients().first(), lease);
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.initialize();
        try {
            renewing.setRenewalTaskScheduler(scheduler);
            Lock lock = renewing.obtain("renewed");
            lock.lock();
            Thread.sleep(lease.multipliedBy(3).toMillis());
            LockKitLockRegistry other = new LockKitLockRegistry(clients().second(), lease);
            assertThat(other.obtain("renewed").tryLock())
                    .as("another process while the renewed lock is held")
                    .isFalse();
            lock.unlock(); // no ConcurrentModificationException: the lease never ended
            assertThat(other.obtain("renewed").tryLock(10, TimeUnit.SECONDS)).isTrue();
            other.obtain("renewed").unlock();
        } finally {
            scheduler.shutdown();
        }
    }

    /**
     * {@code lock()} is uninterruptible: interrupted while it waits, it goes on waiting, takes the
     * lock once it is free, and returns with the interrupt flag set for its caller.
     */
    @Test
    void anInterruptedLockGoesOnWaitingAndKeepsTheFlag() throws Exception {
        Lock holder = new LockKitLockRegistry(clients().second()).obtain("interrupted");
        holder.lock();
        Lock lock = registry.obtain("interrupted");
        CompletableFuture<Boolean> flagAfterLock = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            lock.lock();
            flagAfterLock.complete(Thread.currentThread().isInterrupted());
            Thread.interrupted();
            lock.unlock();
        });
        waiter.start();
        Thread.sleep(100);
        waiter.interrupt();
        Thread.sleep(200);
        assertThat(flagAfterLock).as("still waiting after the interrupt").isNotDone();
        holder.unlock();
        assertThat(flagAfterLock.get(10, TimeUnit.SECONDS))
                .as("lock() returned once the key was free, the interrupt kept for the caller")
                .isTrue();
        waiter.join(10_000);
    }

    /**
     * A reentrant take extends the lease, as Spring Integration's registries refresh their time to
     * live: {@code LockRegistryLeaderInitiator} re-takes its lock at every heartbeat and must not
     * lose it to another process when the first lease would have run out.
     */
    @Test
    void aReentrantTakeExtendsTheLeaseAsALeaderHeartbeatDoes() throws Exception {
        Duration lease = Duration.ofMillis(1500);
        LockKitLockRegistry leader = new LockKitLockRegistry(clients().first(), lease);
        LockKitLockRegistry rival = new LockKitLockRegistry(clients().second(), lease);
        Lock lock = leader.obtain("leader");
        assertThat(lock.tryLock()).isTrue();
        try {
            for (int beat = 0; beat < 4; beat++) { // 4 × 600 ms: past the first lease
                Thread.sleep(600);
                assertThat(rival.obtain("leader").tryLock())
                        .as("the rival before heartbeat %s", beat)
                        .isFalse();
                assertThat(lock.tryLock(100, TimeUnit.MILLISECONDS))
                        .as("heartbeat %s", beat)
                        .isTrue();
                lock.unlock();
            }
        } finally {
            lock.unlock();
        }
        assertThat(rival.obtain("leader").tryLock(10, TimeUnit.SECONDS)).isTrue();
        rival.obtain("leader").unlock();
    }

    /** E2: a store that cannot be reached is an exception, never "held by another", and the lock stays free. */
    @Test
    void anUnreachableStoreIsAnExceptionNotAHeldLock() throws Exception {
        try (Backend unreachable = clients().target().faults().unreachableClient()) {
            LockKitLockRegistry cut = new LockKitLockRegistry(unreachable);
            Lock lock = cut.obtain("unreachable");
            assertThatThrownBy(lock::tryLock).isInstanceOf(BackendUnavailableException.class);
            assertThatThrownBy(lock::lock).isInstanceOf(BackendUnavailableException.class);
            assertThatThrownBy(() -> lock.tryLock(1, TimeUnit.SECONDS)).isInstanceOf(BackendUnavailableException.class);
            assertThatExceptionOfType(IllegalMonitorStateException.class)
                    .as("the local lock was let go after each failure")
                    .isThrownBy(lock::unlock);
        }
    }

    /** E1: keys are Strings; anything else is refused naming its type. */
    @Test
    void aKeyThatIsNotAStringIsRefused() {
        assertThatThrownBy(() -> registry.obtain(42))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Integer");
    }

    private static String toUUID(String key) {
        return key; // lockkit keys the store by the key itself; Spring's JDBC registry by its UUID
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Lock> locks(LockKitLockRegistry registry) {
        try {
            Field locks = LockKitLockRegistry.class.getDeclaredField("locks");
            locks.setAccessible(true);
            return (Map<String, Lock>) locks.get(registry);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
