package io.lockkit.micrometer;

import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.ForwardingVersionedUpdate;
import java.util.Optional;

/**
 * Counts conflicts, fenced-out writes, unknown outcomes and unreachable stores. The retrying
 * {@link io.lockkit.Updater} built by {@link #updater} (the interface's default) runs over this
 * instance, so each of its attempts is seen here. Thread-safe.
 */
final class MeteredVersionedUpdate extends ForwardingVersionedUpdate {
    private static final String READ = "read";
    private static final String CREATE = "create";
    private static final String COMPARE_AND_SET = "compare_and_set";
    private static final String DELETE = "delete";

    private final Meters meters;

    MeteredVersionedUpdate(VersionedUpdate delegate, Meters meters) {
        super(delegate);
        this.meters = meters;
    }

    @Override
    public Optional<Versioned> read(String key) {
        try {
            return delegate.read(key);
        } catch (RuntimeException | Error e) {
            meters.failed(READ, key, e);
            throw e;
        }
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value) {
        Optional<Versioned> written;
        try {
            written = delegate.create(key, value);
        } catch (RuntimeException | Error e) {
            meters.failed(CREATE, key, e);
            throw e;
        }
        return written(written, CREATE, false, key);
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value, long fencingToken) {
        Optional<Versioned> written;
        try {
            written = delegate.create(key, value, fencingToken);
        } catch (RuntimeException | Error e) {
            meters.failed(CREATE, key, e);
            throw e;
        }
        return written(written, CREATE, true, key);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        Optional<Versioned> written;
        try {
            written = delegate.compareAndSet(key, expectedVersion, value);
        } catch (RuntimeException | Error e) {
            meters.failed(COMPARE_AND_SET, key, e);
            throw e;
        }
        return written(written, COMPARE_AND_SET, false, key);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        Optional<Versioned> written;
        try {
            written = delegate.compareAndSet(key, expectedVersion, value, fencingToken);
        } catch (RuntimeException | Error e) {
            meters.failed(COMPARE_AND_SET, key, e);
            throw e;
        }
        return written(written, COMPARE_AND_SET, true, key);
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        boolean deleted;
        try {
            deleted = delegate.delete(key, expectedVersion);
        } catch (RuntimeException | Error e) {
            meters.failed(DELETE, key, e);
            throw e;
        }
        if (!deleted) {
            meters.conflict(DELETE, false, key);
        }
        return deleted;
    }

    @Override
    public boolean delete(String key, long expectedVersion, long fencingToken) {
        boolean deleted;
        try {
            deleted = delegate.delete(key, expectedVersion, fencingToken);
        } catch (RuntimeException | Error e) {
            meters.failed(DELETE, key, e);
            throw e;
        }
        if (!deleted) {
            meters.conflict(DELETE, true, key);
        }
        return deleted;
    }

    private Optional<Versioned> written(Optional<Versioned> written, String operation, boolean fenced, String key) {
        if (written != null && written.isEmpty()) {
            meters.conflict(operation, fenced, key);
        }
        return written;
    }

    @Override
    public String toString() {
        return "metered " + delegate;
    }
}
