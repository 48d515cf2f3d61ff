package io.lockkit.tck.selftest;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.ForwardingVersionedUpdate;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Forwards everything to a real backend; each broken backend overrides the one part it gets wrong. */
class ForwardingBackend implements Backend {
    final Backend delegate;

    ForwardingBackend(Backend delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public JobLock jobLock() {
        return new ForwardingJobLock(delegate.jobLock());
    }

    @Override
    public VersionedUpdate versionedUpdate() {
        return new ForwardingVersionedUpdate(delegate.versionedUpdate());
    }

    @Override
    public void close() {
        delegate.close();
    }

    static class ForwardingJobLock implements JobLock {
        final JobLock delegate;

        ForwardingJobLock(JobLock delegate) {
            this.delegate = delegate;
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

    static class ForwardingLease implements Lease {
        final Lease delegate;

        ForwardingLease(Lease delegate) {
            this.delegate = delegate;
        }

        @Override
        public String key() {
            return delegate.key();
        }

        @Override
        public long token() {
            return delegate.token();
        }

        @Override
        public boolean isValid() {
            return delegate.isValid();
        }

        @Override
        public Duration remaining() {
            return delegate.remaining();
        }

        @Override
        public boolean extend(Duration lease) {
            return delegate.extend(lease);
        }

        @Override
        public boolean release() {
            return delegate.release();
        }

        @Override
        public void close() {
            release();
        }

        @Override
        public void onLost(Consumer<Lease> listener) {
            delegate.onLost(l -> listener.accept(this));
        }
    }
}
