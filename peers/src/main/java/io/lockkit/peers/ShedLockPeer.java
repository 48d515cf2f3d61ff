package io.lockkit.peers;

import io.lockkit.peers.internal.PeerHold;
import io.lockkit.peers.internal.PeerLock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;

/**
 * A ShedLock {@link LockProvider} as a {@link PeerLock}, called as ShedLock's users do: {@code
 * lock(new LockConfiguration(now, name, lockAtMostFor = lease, lockAtLeastFor = 0))}. ShedLock
 * cannot wait (the adapter polls), extends with {@link SimpleLock#extend} (which replaces the lock
 * object), and releases with {@link SimpleLock#unlock()}, which gives no answer: true, unless
 * ShedLock refuses the call because the lock object is no longer valid (already unlocked, or a
 * failed extend): false. A provider whose locks have no extend (ShedLock's default {@code doExtend}
 * throws {@code UnsupportedOperationException}) is declared so, and is then never asked to extend,
 * as for the other peers without one. Thread-safe.
 */
final class ShedLockPeer implements PeerLock {
    private final LockProvider provider;
    private final boolean canExtend;
    private final Function<SimpleLock, OptionalLong> token;

    /** A provider whose locks can extend (JDBC, Redis). */
    ShedLockPeer(LockProvider provider) {
        this(provider, true);
    }

    /** @param canExtend whether the provider's locks implement ShedLock's extend */
    ShedLockPeer(LockProvider provider, boolean canExtend) {
        this(provider, canExtend, lock -> OptionalLong.empty());
    }

    /**
     * @param token the fencing token of a lock the provider returned (lockkit's provider: {@code
     *     LockKitLockProvider.leaseOf(lock)}); ShedLock's own providers have none
     */
    ShedLockPeer(LockProvider provider, boolean canExtend, Function<SimpleLock, OptionalLong> token) {
        this.provider = provider;
        this.canExtend = canExtend;
        this.token = token;
    }

    @Override
    public Optional<PeerHold> tryLock(String key, Duration lease) {
        return provider.lock(new LockConfiguration(ClockProvider.now(), key, lease, Duration.ZERO))
                .map(lock -> new Hold(lock, canExtend, token.apply(lock)));
    }

    /** One granted ShedLock lock; extend swaps in the lock object ShedLock returns. */
    private static final class Hold implements PeerHold {
        private final boolean canExtend;
        private final OptionalLong token;
        private SimpleLock lock;

        Hold(SimpleLock lock, boolean canExtend, OptionalLong token) {
            this.lock = lock;
            this.canExtend = canExtend;
            this.token = token;
        }

        @Override
        public OptionalLong token() {
            return token;
        }

        @Override
        public boolean canExtend() {
            return canExtend;
        }

        @Override
        public synchronized boolean extend(Duration lease) {
            Optional<SimpleLock> extended;
            try {
                extended = lock.extend(lease, Duration.ZERO);
            } catch (IllegalStateException | UnsupportedOperationException refused) {
                return false; // ShedLock's own "no": the lock object is no longer valid, or cannot extend
            }
            extended.ifPresent(l -> lock = l);
            return extended.isPresent();
        }

        @Override
        public synchronized boolean release() {
            try {
                lock.unlock();
                return true;
            } catch (IllegalStateException refused) {
                return false;
            }
        }
    }
}
