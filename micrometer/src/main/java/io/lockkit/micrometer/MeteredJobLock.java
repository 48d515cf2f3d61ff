package io.lockkit.micrometer;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.spi.ForwardingJobLock;
import java.time.Duration;
import java.util.Optional;

/** Times each acquire by outcome and hands out {@link MeteredLease}s. Thread-safe. */
final class MeteredJobLock extends ForwardingJobLock {
    private final Meters meters;

    MeteredJobLock(JobLock delegate, Meters meters) {
        super(delegate);
        this.meters = meters;
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration lease) {
        long start = meters.now();
        Optional<Lease> result;
        try {
            result = delegate.tryAcquire(key, lease);
        } catch (RuntimeException | Error e) {
            meters.acquireFailed("try_acquire", key, start, e);
            throw e;
        }
        return granted("try_acquire", key, start, result);
    }

    @Override
    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        long start = meters.now();
        Optional<Lease> result;
        try {
            result = delegate.acquire(key, lease, maxWait);
        } catch (InterruptedException | RuntimeException | Error e) {
            meters.acquireFailed("acquire", key, start, e);
            throw e;
        }
        return granted("acquire", key, start, result);
    }

    private Optional<Lease> granted(String method, String key, long start, Optional<Lease> result) {
        if (result == null || result.isEmpty()) {
            if (result != null) {
                meters.acquired(method, key, start, false);
            }
            return result;
        }
        meters.acquired(method, key, start, true);
        return Optional.of(MeteredLease.granted(result.get(), meters));
    }

    @Override
    public String toString() {
        return "metered " + delegate;
    }
}
