package io.lockkit.peers.internal;

import io.lockkit.FencedOutException;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.Checks;
import io.lockkit.spi.ForwardingVersionedUpdate;
import java.util.Optional;

/**
 * The classic read-modify-write without a version, over lockkit's own {@link VersionedUpdate}: both
 * {@code compareAndSet}s ignore the expected version. They read the key and write over whatever
 * version is there, re-reading only when a concurrent writer moved it in between, so the last
 * writer wins (an {@code UPDATE … SET value = ? WHERE key = ?}). The fenced one keeps its fencing
 * token (the naive/rmw column's lock is lockkit's, with real tokens): only the data pattern is
 * naive. Reads, creates (a create has no version to ignore) and deletes are delegated unchanged.
 * Thread-safe.
 */
public final class BlindWrites extends ForwardingVersionedUpdate {
    public BlindWrites(VersionedUpdate delegate) {
        super(delegate);
    }

    /** Writes {@code value} over the current version, whatever {@code expectedVersion} says; empty only when the key is absent. */
    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        return overwrite(key, expectedVersion, value, 0);
    }

    /**
     * As {@link #compareAndSet(String, long, byte[])}, fenced by {@code fencingToken}.
     *
     * @throws FencedOutException when a larger token wrote the key
     */
    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        return overwrite(key, expectedVersion, value, Checks.fencingToken(fencingToken));
    }

    /** {@code token} 0: unfenced. */
    private Optional<Versioned> overwrite(String key, long expectedVersion, byte[] value, long token) {
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        while (true) {
            Optional<Versioned> current = delegate.read(key);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            long version = current.get().version();
            Optional<Versioned> written = token == 0
                    ? delegate.compareAndSet(key, version, value)
                    : delegate.compareAndSet(key, version, value, token);
            if (written.isPresent()) {
                return written;
            }
        }
    }
}
