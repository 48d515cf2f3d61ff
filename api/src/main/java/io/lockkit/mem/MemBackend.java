package io.lockkit.mem;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.VersionedUpdate;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client of a {@link MemStore}. Thread-safe. {@link #close()} ends the client's session (and
 * with it its session leases, as closing a connection does on a real store); timed leases stay
 * until they expire.
 *
 * <pre>{@code
 * MemStore store = MemStore.create();
 * try (Backend client = MemBackend.builder(store).leaseKind(MemBackend.LeaseKind.SESSION).build()) {
 *     client.jobLock().tryAcquire("job-42", Duration.ofSeconds(10)).ifPresent(lease -> ...);
 * }
 * }</pre>
 */
public final class MemBackend implements Backend {
    /** Which kind of lease this client takes. */
    public enum LeaseKind {
        /** The store expires the lease after its duration unless extended. */
        TIMED,
        /** The lease also ends when the client's session ends (connection killed, session expired, crash, close). */
        SESSION
    }

    /** No clock drift within one process. */
    public static final Duration DEFAULT_DRIFT_MARGIN = Duration.ZERO;

    private final MemStore store;
    private final LeaseKind kind;
    private final Duration driftMargin;
    private final MemJobLock jobLock;
    private final MemVersionedUpdate versionedUpdate;
    private final Set<MemLease> sessionLeases = ConcurrentHashMap.newKeySet();
    private volatile boolean crashed;
    private volatile boolean closed;

    private MemBackend(Builder b) {
        this.store = b.store;
        this.kind = b.kind;
        this.driftMargin = b.driftMargin;
        this.jobLock = new MemJobLock(this);
        this.versionedUpdate = new MemVersionedUpdate(this);
    }

    /** A builder for a client of {@code store}; timed leases and no drift margin by default. */
    public static Builder builder(MemStore store) {
        return new Builder(store);
    }

    @Override
    public String name() {
        return "mem/" + kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                kind == LeaseKind.TIMED ? Capability.TIMED_LEASE : Capability.SESSION_LEASE,
                Capability.RELEASE_NOTIFICATION);
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
        if (!closed) {
            store.killConnection(this);
            closed = true;
        }
    }

    MemStore store() {
        return store;
    }

    Duration driftMargin() {
        return driftMargin;
    }

    boolean isSessionKind() {
        return kind == LeaseKind.SESSION;
    }

    void track(MemLease lease) {
        if (isSessionKind()) {
            sessionLeases.add(lease);
        }
    }

    void untrack(MemLease lease) {
        sessionLeases.remove(lease);
    }

    void sessionEnded() {
        for (MemLease lease : sessionLeases) {
            lease.sessionEnded();
        }
        sessionLeases.clear();
    }

    void markCrashed() {
        crashed = true;
    }

    void checkUsable() {
        if (closed) {
            throw new IllegalStateException(name() + " client is closed");
        }
        if (crashed) {
            throw new BackendUnavailableException(name() + " client has crashed");
        }
    }

    /** Builds a {@link MemBackend}; options are validated by {@link #build()}. */
    public static final class Builder {
        private final MemStore store;
        private LeaseKind kind = LeaseKind.TIMED;
        private Duration driftMargin = DEFAULT_DRIFT_MARGIN;

        private Builder(MemStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Timed (the default) or session leases. */
        public Builder leaseKind(LeaseKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /** Subtracted from every lease's deadline; zero or positive. */
        public Builder driftMargin(Duration driftMargin) {
            this.driftMargin = Objects.requireNonNull(driftMargin, "driftMargin");
            return this;
        }

        /** Validates the options and builds the client. */
        public MemBackend build() {
            if (driftMargin.isNegative()) {
                throw new IllegalArgumentException("driftMargin must not be negative, was " + driftMargin);
            }
            return new MemBackend(this);
        }
    }
}
