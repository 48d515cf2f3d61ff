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
    private final io.lockkit.LeaseLimits limits;
    private final MemJobLock jobLock;
    private final MemVersionedUpdate versionedUpdate;
    private final Set<MemLease> sessionLeases = ConcurrentHashMap.newKeySet();
    private volatile boolean crashed;
    private volatile boolean losingReplies;
    private volatile long replyDelayNanos;
    private volatile boolean closed;

    private MemBackend(Builder b) {
        this.store = b.store;
        this.kind = b.kind;
        this.driftMargin = b.driftMargin;
        this.limits = io.lockkit.LeaseLimits.forDriftMargin(b.driftMargin);
        this.jobLock = new MemJobLock(this);
        this.versionedUpdate = new MemVersionedUpdate(this);
        store.opened(this);
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
                Capability.RELEASE_NOTIFICATION,
                // MemStore.restart() is a durable store's restart: only server sessions end.
                Capability.FENCING_SURVIVES_STORE_RESTART,
                Capability.DATA_SURVIVES_STORE_RESTART);
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
            store.closed(this);
        }
    }

    MemStore store() {
        return store;
    }

    Duration driftMargin() {
        return driftMargin;
    }

    io.lockkit.LeaseLimits leaseLimits() {
        return limits;
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

    void loseReplies(boolean on) {
        losingReplies = on;
    }

    void delayReplies(Duration delay) {
        replyDelayNanos = delay.toNanos();
    }

    /**
     * The reply to a call the store has applied, as the wire delivers it: late while replies are
     * delayed, and lost while they are lost — a write's outcome is then unknown (V4), any other
     * call's store unreachable (E2).
     */
    <T> T reply(T result, boolean write) {
        long delay = replyDelayNanos;
        long until = System.nanoTime() + delay;
        for (long left = delay; left > 0; left = until - System.nanoTime()) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
        if (losingReplies) {
            if (write) {
                throw new io.lockkit.OutcomeUnknownException(
                        name() + ": the reply to a write was lost; it may have been applied", null);
            }
            throw new BackendUnavailableException(name() + ": the reply was lost");
        }
        return result;
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

        /** Subtracted from every lease's deadline; from zero to 10 minutes. */
        public Builder driftMargin(Duration driftMargin) {
            this.driftMargin = Objects.requireNonNull(driftMargin, "driftMargin");
            return this;
        }

        /** Validates the options and builds the client. */
        public MemBackend build() {
            io.lockkit.spi.Checks.driftMargin(driftMargin);
            return new MemBackend(this);
        }
    }
}
