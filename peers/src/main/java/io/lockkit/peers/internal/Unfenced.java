package io.lockkit.peers.internal;

import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.Checks;
import io.lockkit.spi.ForwardingVersionedUpdate;
import java.util.Optional;

/**
 * lockkit's own {@link VersionedUpdate} on a peer's store, for a peer without fencing tokens: the
 * fenced {@link #compareAndSet(String, long, byte[], long)} and {@link #create(String, byte[], long)}
 * check the token's form and then call the unfenced ones, dropping the token, as a user of that
 * peer has no token to pass. A zombie's stale write therefore lands whenever its expected version
 * still matches; scenario 8 shows what that costs instead of being skipped. Everything else is
 * delegated unchanged. Thread-safe.
 */
public final class Unfenced extends ForwardingVersionedUpdate {
    public Unfenced(VersionedUpdate delegate) {
        super(delegate);
    }

    /** The token is validated (E1) and then dropped: the create is unfenced. */
    @Override
    public Optional<Versioned> create(String key, byte[] value, long fencingToken) {
        Checks.fencingToken(fencingToken);
        return delegate.create(key, value);
    }

    /** The token is validated (E1) and then dropped: nothing is fenced. */
    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        Checks.fencingToken(fencingToken);
        return delegate.compareAndSet(key, expectedVersion, value);
    }

    /** The token is validated (E1) and then dropped: the delete is unfenced. */
    @Override
    public boolean delete(String key, long expectedVersion, long fencingToken) {
        Checks.fencingToken(fencingToken);
        return delegate.delete(key, expectedVersion);
    }
}
