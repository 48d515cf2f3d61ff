package io.lockkit.spi;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.VersionedUpdate;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link Backend} that passes every call to {@link #delegate}, its lock and store wrapped in
 * {@link ForwardingJobLock} and {@link ForwardingVersionedUpdate}: extend it and override only what a
 * decorator changes (metrics, tracing, a deliberate defect in a TCK self-test). Thread-safe when the
 * delegate is and the overrides are.
 */
public class ForwardingBackend implements Backend {
    /** Where every call not overridden goes. */
    protected final Backend delegate;

    public ForwardingBackend(Backend delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
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
}
