package io.lockkit.spi;

import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link VersionedUpdate} that passes every call to {@link #delegate}: extend it and override
 * only what a decorator changes (counting, dropping a token, injecting a defect). The updater's
 * turns ({@link io.lockkit.Updater}) belong to the decorator instance, as to any store instance.
 * Thread-safe when the delegate is and the overrides are.
 */
public class ForwardingVersionedUpdate implements VersionedUpdate {
    /** Where every call not overridden goes. */
    protected final VersionedUpdate delegate;

    public ForwardingVersionedUpdate(VersionedUpdate delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Optional<Versioned> read(String key) {
        return delegate.read(key);
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value) {
        return delegate.create(key, value);
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value, long fencingToken) {
        return delegate.create(key, value, fencingToken);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        return delegate.compareAndSet(key, expectedVersion, value);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        return delegate.compareAndSet(key, expectedVersion, value, fencingToken);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        return delegate.delete(key, expectedVersion);
    }

    @Override
    public boolean delete(String key, long expectedVersion, long fencingToken) {
        return delegate.delete(key, expectedVersion, fencingToken);
    }
}
