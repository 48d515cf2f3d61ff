package io.lockkit.bench;

import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.ForwardingVersionedUpdate;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link VersionedUpdate} that counts the write attempts (create and compare-and-set calls) made
 * through it, so the contended counter can report attempts per success whatever the backend.
 * Thread-safe when the store it wraps is.
 */
final class CountingStore extends ForwardingVersionedUpdate {
    private final LongAdder attempts = new LongAdder();

    CountingStore(VersionedUpdate store) {
        super(store);
    }

    /** Create and compare-and-set calls so far. */
    long attempts() {
        return attempts.sum();
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value) {
        attempts.increment();
        return super.create(key, value);
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value, long fencingToken) {
        attempts.increment();
        return super.create(key, value, fencingToken);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        attempts.increment();
        return super.compareAndSet(key, expectedVersion, value);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        attempts.increment();
        return super.compareAndSet(key, expectedVersion, value, fencingToken);
    }
}
