package io.lockkit.bench;

import io.lockkit.Backend;
import io.lockkit.Lease;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessLock;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex;
import org.jspecify.annotations.Nullable;
import org.redisson.api.RFencedLock;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;

/**
 * A handoff as a step of the interleaved run ({@link UncontendedRun}), alike for a lockkit variant
 * and for a peer that can wait: the holder (one client, the bench thread) takes a free key, a
 * waiter (another client, its own thread) starts waiting for it, both idle {@link
 * UncontendedRun#COLD_IDLE_NANOS} ns (as the notify hop and the cold floor do), then the step times
 * from the holder's release call to the waiter's acquire returning, read on the waiter's thread.
 * The waiter then releases, untimed. The peers here are those with a wait of their own (Redisson
 * {@code RLock} and {@code RFencedLock} on a pub/sub message, Curator's mutexes on a watch);
 * ShedLock has none (its users poll, or skip the run), so it has no handoff to measure. One bench
 * thread.
 */
final class HandoffStep implements Interleaved.Step, AutoCloseable {
    /** The peers whose handoff is measured: those with a wait of their own. */
    static final List<String> PEERS = List.of(
            "redisson/RLock",
            "redisson/RFencedLock",
            "curator/InterProcessMutex",
            "curator/InterProcessSemaphoreMutex");

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);

    /** One party's hold on the key, through its own client; thread-bound locks unlock on the thread that locked. */
    private interface Party {
        /** Takes the key, waiting up to {@code wait} (zero: not at all); false when not granted. */
        boolean lock(Duration wait) throws Exception;

        void unlock() throws Exception;
    }

    private final String subject;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    private final ExecutorService waiterThread =
            Executors.newSingleThreadExecutor(r -> new Thread(r, "handoff-step-waiter"));
    private Party holder = unset();
    private Party waiter = unset();

    private HandoffStep(String subject) {
        this.subject = subject;
    }

    /** The handoff of {@code subject}, a lockkit variant or one of {@link #PEERS}, its clients connected. */
    static HandoffStep open(String subject) throws Exception {
        HandoffStep step = new HandoffStep(subject);
        try {
            String key = Clients.freshKey("handoff-step");
            step.holder = step.party(key);
            step.waiter = step.party(key);
            return step;
        } catch (Exception | Error e) {
            step.close();
            throw e;
        }
    }

    private Party party(String key) {
        return switch (subject) {
            case "redisson/RLock" -> rLock(redisson().getLock(key));
            case "redisson/RFencedLock" -> rFencedLock(redisson().getFencedLock(key));
            case "curator/InterProcessMutex" -> curatorLock(new InterProcessMutex(curator(), "/bench-handoff/" + key));
            case "curator/InterProcessSemaphoreMutex" -> curatorLock(
                    new InterProcessSemaphoreMutex(curator(), "/bench-handoff/" + key));
            default -> lockkit(key);
        };
    }

    @Override
    public long run() throws Exception {
        if (!holder.lock(Duration.ZERO)) {
            throw new IllegalStateException(subject + ": the holder could not take a free key");
        }
        CountDownLatch started = new CountDownLatch(1);
        Future<Long> handedOver = waiterThread.submit(() -> {
            started.countDown();
            if (!waiter.lock(MAX_WAIT)) {
                throw new IllegalStateException(subject + ": the waiter was not handed the lock");
            }
            long returned = System.nanoTime();
            waiter.unlock();
            return returned;
        });
        started.await();
        LockSupport.parkNanos(UncontendedRun.COLD_IDLE_NANOS);
        if (handedOver.isDone()) {
            throw new IllegalStateException(subject + ": the waiter finished while the key was held: " + handedOver);
        }
        long released = System.nanoTime();
        holder.unlock();
        return handedOver.get(MAX_WAIT.toSeconds() + 5, TimeUnit.SECONDS) - released;
    }

    @Override
    public void close() throws Exception {
        waiterThread.shutdownNow();
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    private Party lockkit(String key) {
        Backend client = Clients.lockkit(subject);
        opened.push(client);
        return new Party() {
            private @Nullable Lease held;

            @Override
            public boolean lock(Duration wait) throws InterruptedException {
                Optional<Lease> lease = wait.isZero()
                        ? client.jobLock().tryAcquire(key, LEASE)
                        : client.jobLock().acquire(key, LEASE, wait);
                held = lease.orElse(null);
                return held != null;
            }

            @Override
            public void unlock() {
                if (held == null || !held.release()) {
                    throw new IllegalStateException(subject + ": release of the current lease returned false");
                }
                held = null;
            }
        };
    }

    private Party rLock(RLock lock) {
        return new Party() {
            @Override
            public boolean lock(Duration wait) throws InterruptedException {
                return lock.tryLock(wait.toMillis(), LEASE.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void unlock() {
                lock.unlock();
            }
        };
    }

    private Party rFencedLock(RFencedLock lock) {
        return new Party() {
            @Override
            public boolean lock(Duration wait) {
                return lock.tryLockAndGetToken(wait.toMillis(), LEASE.toMillis(), TimeUnit.MILLISECONDS) != null;
            }

            @Override
            public void unlock() {
                lock.unlock();
            }
        };
    }

    private Party curatorLock(InterProcessLock lock) {
        return new Party() {
            @Override
            public boolean lock(Duration wait) throws Exception {
                return lock.acquire(wait.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void unlock() throws Exception {
                lock.release();
            }
        };
    }

    private RedissonClient redisson() {
        RedissonClient redisson = Clients.redisson();
        opened.push(redisson::shutdown);
        return redisson;
    }

    private CuratorFramework curator() {
        CuratorFramework curator = Clients.curator();
        opened.push(curator);
        return curator;
    }

    private static Party unset() {
        return new Party() {
            @Override
            public boolean lock(Duration wait) {
                throw new IllegalStateException("not set up");
            }

            @Override
            public void unlock() {
                throw new IllegalStateException("not set up");
            }
        };
    }
}
