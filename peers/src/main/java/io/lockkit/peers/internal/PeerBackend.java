package io.lockkit.peers.internal;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.VersionedUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client of a peer as a lockkit {@link Backend}: the peer's lock, a {@link VersionedUpdate} on
 * the same store, and what to close. {@link #close()} closes those resources in reverse order, once,
 * releasing no lease. Thread-safe.
 */
public final class PeerBackend implements Backend {
    private final String name;
    private final Set<Capability> capabilities;
    private final JobLock jobLock;
    private final VersionedUpdate versionedUpdate;
    private final List<AutoCloseable> resources;
    private final AtomicBoolean closed = new AtomicBoolean();

    public PeerBackend(
            String name,
            Set<Capability> capabilities,
            JobLock jobLock,
            VersionedUpdate versionedUpdate,
            List<? extends AutoCloseable> resources) {
        this.name = name;
        this.capabilities = Set.copyOf(capabilities);
        this.jobLock = jobLock;
        this.versionedUpdate = versionedUpdate;
        this.resources = List.copyOf(resources);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public JobLock jobLock() {
        return jobLock;
    }

    @Override
    public VersionedUpdate versionedUpdate() {
        return versionedUpdate;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        java.util.Collections.reverse(reversed);
        RuntimeException first = null;
        for (AutoCloseable r : reversed) {
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing " + name + " failed: " + e, e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
