package io.lockkit.peers.internal;

import io.lockkit.FencedOutException;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.Checks;
import java.util.Optional;

/**
 * The classic read-modify-write without a version, over lockkit's own {@link VersionedUpdate}: both
 * {@code compareAndSet}s ignore the expected version. They read the key and write over whatever
 * version is there, re-reading only when a concurrent writer moved it in between, so the last
 * writer wins (an {@code UPDATE … SET value = ? WHERE key = ?}). The fenced one keeps its fencing
 * token (the naive/rmw column's lock is lockkit's, with real tokens): only the data pattern is
 * naive. Reads, creates and deletes are delegated unchanged. Thread-safe.
 */
public final class BlindWrites implements VersionedUpdate {
    private final VersionedUpdate delegate;

    public BlindWrites(VersionedUpdate delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<Versioned> read(String key) {
        return delegate.read(key);
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value) {
        return delegate.create(key, value);
    }

    /** Delegated unchanged: a create has no version to ignore, and this pattern keeps its fence. */
    @Override
    public Optional<Versioned> create(String key, byte[] value, long fencingToken) {
        return delegate.create(key, value, fencingToken);
    }

    /** Writes {@code value} over the current version, whatever {@code expectedVersion} says; empty only when the key is absent. */
    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        while (true) {
            Optional<Versioned> current = delegate.read(key);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            Optional<Versioned> written =
                    delegate.compareAndSet(key, current.get().version(), value);
            if (written.isPresent()) {
                return written;
            }
        }
    }

    /**
     * As {@link #compareAndSet(String, long, byte[])}, fenced by {@code fencingToken}.
     *
     * @throws FencedOutException when a larger token wrote the key
     */
    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        while (true) {
            Optional<Versioned> current = delegate.read(key);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            Optional<Versioned> written =
                    delegate.compareAndSet(key, current.get().version(), value, fencingToken);
            if (written.isPresent()) {
                return written;
            }
        }
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        return delegate.delete(key, expectedVersion);
    }
}
