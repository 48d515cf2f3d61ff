package io.lockkit.spi;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link JobLock} that passes every call to {@link #delegate}: extend it and override only what a
 * decorator changes. Thread-safe when the delegate is and the overrides are.
 */
public class ForwardingJobLock implements JobLock {
    /** Where every call not overridden goes. */
    protected final JobLock delegate;

    public ForwardingJobLock(JobLock delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public LeaseLimits leaseLimits() {
        return delegate.leaseLimits();
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration lease) {
        return delegate.tryAcquire(key, lease);
    }

    @Override
    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        return delegate.acquire(key, lease, maxWait);
    }
}
