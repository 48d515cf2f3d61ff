package io.lockkit.peers;

import io.lockkit.peers.internal.PeerHold;
import io.lockkit.peers.internal.PeerLock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.redisson.RedissonFencedLock;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;

/**
 * Redisson's {@link RLock} (or {@code RFencedLock}) as a {@link PeerLock}. RLock is bound to a
 * thread; like users who hand leases across threads, every lease gets its own explicit thread id
 * ({@code tryLockAsync(waitTime, leaseTime, unit, threadId)}, {@code unlockAsync(threadId)}), so
 * any thread may release it and no two leases are ever reentrant. Waiting is Redisson's own
 * (pub/sub). RLock has no owner-checked extend in its API, so extend is false. Release reports
 * Redisson's answer: true, or false when Redisson refuses because the lease's thread id no longer
 * holds the lock ({@code IllegalMonitorStateException}). The fenced variant passes {@code
 * RFencedLock}'s token through. Thread-safe.
 */
final class RedissonPeer implements PeerLock {
    /** Explicit thread ids, far above the JVM's own, so no lease shares one with a real thread. */
    private static final AtomicLong THREAD_IDS = new AtomicLong(1L << 40);
    /** Redisson's wait is bounded; a "forever" wait is a year. */
    private static final long MAX_WAIT_MILLIS = Duration.ofDays(365).toMillis();

    private final RedissonClient redisson;
    private final String prefix;
    private final boolean fenced;

    RedissonPeer(RedissonClient redisson, String prefix, boolean fenced) {
        this.redisson = redisson;
        this.prefix = prefix;
        this.fenced = fenced;
    }

    @Override
    public Optional<PeerHold> tryLock(String key, Duration lease) throws Exception {
        return lock(key, lease, Duration.ZERO);
    }

    @Override
    public boolean canWait() {
        return true;
    }

    @Override
    public Optional<PeerHold> lock(String key, Duration lease, Duration maxWait) throws Exception {
        String name = prefix + ":" + key;
        long threadId = THREAD_IDS.incrementAndGet();
        long waitMillis = Math.min(millis(maxWait), MAX_WAIT_MILLIS);
        long leaseMillis = Math.max(1, millis(lease));
        if (fenced) {
            RedissonFencedLock lock = (RedissonFencedLock) redisson.getFencedLock(name);
            CompletableFuture<Long> token = lock.tryLockAndGetTokenAsync(
                            waitMillis, leaseMillis, TimeUnit.MILLISECONDS, threadId)
                    .toCompletableFuture();
            Long granted = await(token, lock, threadId);
            return granted == null ? Optional.empty() : Optional.of(new Hold(lock, threadId, OptionalLong.of(granted)));
        }
        RLock lock = redisson.getLock(name);
        CompletableFuture<Boolean> locked = lock.tryLockAsync(waitMillis, leaseMillis, TimeUnit.MILLISECONDS, threadId)
                .toCompletableFuture();
        Boolean granted = await(locked, lock, threadId);
        return Boolean.TRUE.equals(granted)
                ? Optional.of(new Hold(lock, threadId, OptionalLong.empty()))
                : Optional.empty();
    }

    /** Waits for Redisson's answer; an interrupted wait unlocks whatever Redisson grants later (L8). */
    private static <T> T await(CompletableFuture<T> answer, RLock lock, long threadId)
            throws InterruptedException, ExecutionException {
        try {
            return answer.get();
        } catch (InterruptedException e) {
            answer.whenComplete((granted, failed) -> {
                if (failed == null && granted != null && !Boolean.FALSE.equals(granted)) {
                    lock.unlockAsync(threadId);
                }
            });
            throw e;
        }
    }

    private static long millis(Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** One lease: the lock and the thread id it was taken with. */
    private static final class Hold implements PeerHold {
        private final RLock lock;
        private final long threadId;
        private final OptionalLong token;

        Hold(RLock lock, long threadId, OptionalLong token) {
            this.lock = lock;
            this.threadId = threadId;
            this.token = token;
        }

        /** RLock offers no owner-checked extend of an explicit lease. */
        @Override
        public boolean canExtend() {
            return false;
        }

        @Override
        public boolean extend(Duration lease) {
            throw new UnsupportedOperationException("no extend");
        }

        @Override
        public boolean release() throws Exception {
            try {
                lock.unlockAsync(threadId).toCompletableFuture().get();
                return true;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IllegalMonitorStateException) {
                    return false; // Redisson: this thread id does not hold the lock (expired, taken over)
                }
                throw e;
            }
        }

        @Override
        public OptionalLong token() {
            return token;
        }
    }
}
