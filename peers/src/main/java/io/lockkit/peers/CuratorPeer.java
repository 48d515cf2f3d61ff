package io.lockkit.peers;

import io.lockkit.peers.internal.PeerHold;
import io.lockkit.peers.internal.PeerLock;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex;

/**
 * Curator's {@link InterProcessSemaphoreMutex} (not bound to a thread) as a {@link PeerLock}: one
 * mutex object per attempt on {@code root/<url-encoded key>}, {@code acquire(time, unit)} for both
 * the single try (time 0) and Curator's own wait. Curator has no extend (false) and its release
 * gives no answer (true). Thread-safe.
 */
final class CuratorPeer implements PeerLock {
    /** Curator's wait is bounded; a "forever" wait is a year. */
    private static final long MAX_WAIT_MILLIS = Duration.ofDays(365).toMillis();

    private final CuratorFramework curator;
    private final String root;

    CuratorPeer(CuratorFramework curator, String root) {
        this.curator = curator;
        this.root = root;
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
        // One path segment per key: '/' and other characters ZooKeeper refuses are %-encoded.
        String path = root + "/k-" + URLEncoder.encode(key, StandardCharsets.UTF_8);
        InterProcessSemaphoreMutex mutex = new InterProcessSemaphoreMutex(curator, path);
        long wait;
        try {
            wait = Math.min(maxWait.toMillis(), MAX_WAIT_MILLIS);
        } catch (ArithmeticException e) {
            wait = MAX_WAIT_MILLIS;
        }
        if (!mutex.acquire(wait, TimeUnit.MILLISECONDS)) {
            return Optional.empty();
        }
        return Optional.of(new PeerHold() {
            @Override
            public boolean canExtend() {
                return false; // Curator's mutex has no lease to extend
            }

            @Override
            public boolean extend(Duration lease) {
                throw new UnsupportedOperationException("no extend");
            }

            @Override
            public boolean release() throws Exception {
                mutex.release();
                return true;
            }
        });
    }
}
