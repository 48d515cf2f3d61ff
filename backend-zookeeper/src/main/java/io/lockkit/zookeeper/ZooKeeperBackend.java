package io.lockkit.zookeeper;

import io.lockkit.Backend;
import io.lockkit.Capability;
import io.lockkit.JobLock;
import io.lockkit.Ticker;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.imps.DefaultACLProvider;
import org.apache.zookeeper.common.PathUtils;

/**
 * lockkit on ZooKeeper, through a {@link CuratorFramework} the caller already owns and has started.
 * Thread-safe. One ZooKeeper session — the client's — serves every lease of this backend.
 *
 * <h2>Leases ({@link Capability#SESSION_LEASE})</h2>
 *
 * A lease is an ephemeral sequential node under {@code <root>/locks/<encoded key>}; the lowest node
 * holds, each waiter watches only its predecessor (L7), and the token is the holder node's {@code
 * czxid} (or, for a grant that had to wait, the {@code mzxid} of one write on the node at the
 * grant): one global order, in grant order, that survives the removal of the parent and a server
 * restart (L2).
 *
 * <p><b>What {@code lease} means here.</b> ZooKeeper keeps the node as long as the client's session
 * lives, and the server keeps a session the negotiated session timeout {@code T} after it last
 * heard from the client (the ZooKeeper client pings in the background while the process runs). So
 * the holder's deadline is the send time of the last acknowledged acquire/extend request + {@code
 * min(lease, T)} − the drift margin: a lease longer than {@code T} is bounded by the session and
 * must be extended ({@link io.lockkit.Lease#extend}, one round trip) to stay valid longer. Leases
 * run from twice the drift margin to {@link io.lockkit.LeaseLimits#MAX} ({@link
 * JobLock#leaseLimits()}); a shorter one would be returned already invalid. The node
 * is removed by whichever comes first: {@code release}; this client deleting it {@code lease} after
 * the reply to the last acquire or extend, when the holder neither released nor extended it (the
 * deadline has passed by then, see {@code ZkLease}); the end of the session, {@code T} after the
 * server last heard from a dead or paused holder (L4). When Curator reports the connection
 * SUSPENDED or LOST every lease of this client is lost at once (L5); its node is deleted as soon as
 * the connection is back, so {@code release} afterwards returns false and touches nothing (L3). A
 * {@code release} that fails with {@link io.lockkit.BackendUnavailableException} may or may not have
 * deleted the node; either way this client deletes it as soon as it is connected again, or it ends
 * with the session.
 *
 * <h2>Versioned values</h2>
 *
 * One persistent node per key under {@code <root>/values}; versions are the node's {@code mzxid}
 * (V2), compare-and-set is {@code setData} with the znode version (V1), deletes leave a tombstone
 * that keeps the highest fence (V3), and a write whose reply was lost is recognised by its write id
 * or reported as {@link io.lockkit.OutcomeUnknownException} (V4).
 *
 * <h2>Errors</h2>
 *
 * A call that cannot reach a connected server within {@link Builder#timeout} fails with {@link
 * io.lockkit.BackendUnavailableException} (E2); a request already sent is bounded by the ZooKeeper
 * client's own detection of a dead connection (two thirds of {@code T}).
 *
 * <pre>{@code
 * CuratorFramework curator = CuratorFrameworkFactory.newClient("zk1:2181,zk2:2181", new ExponentialBackoffRetry(100, 3));
 * curator.start();
 * try (Backend backend = ZooKeeperBackend.builder(curator).build()) {
 *     backend.jobLock().tryAcquire("job-42", Duration.ofSeconds(10)).ifPresent(lease -> ...);
 * }
 * }</pre>
 */
public final class ZooKeeperBackend implements Backend {
    /** Where lockkit keeps its nodes, inside the client's namespace. */
    public static final String DEFAULT_ROOT = "/lockkit";
    /** How long a call waits for a connected server before {@code BackendUnavailableException}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The longest {@link Builder#timeout}: a day (longer ones would overflow a nanosecond deadline). */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    /** Subtracted from every deadline: clock-rate drift between client and leader over one session timeout. */
    public static final Duration DEFAULT_DRIFT_MARGIN = Duration.ofMillis(100);

    private final CuratorFramework client;
    private final boolean closeClient;
    private final ZkSession session;
    private final ZkJobLock jobLock;
    private final ZkVersionedUpdate versionedUpdate;

    private ZooKeeperBackend(Builder b) {
        this.client = b.client;
        this.closeClient = b.closeClient;
        this.session = new ZkSession(b.client, b.aclProvider, b.timeout, b.root);
        this.jobLock = new ZkJobLock(session, b.ticker, b.driftMargin);
        this.versionedUpdate = new ZkVersionedUpdate(session);
    }

    /** A builder over {@code client}, which MUST be started; the backend does not close it unless told to. */
    public static Builder builder(CuratorFramework client) {
        return new Builder(client);
    }

    @Override
    public String name() {
        return "zookeeper/session";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                Capability.SESSION_LEASE,
                Capability.RELEASE_NOTIFICATION,
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

    /**
     * Ends this backend's leases (they are lost, and their nodes deleted, best effort within the
     * timeout) and, if the builder was told so, closes the {@link CuratorFramework}.
     */
    @Override
    public void close() {
        session.close();
        if (closeClient) {
            client.close();
        }
    }

    /** The client this backend talks through (for tests). */
    CuratorFramework curator() {
        return client;
    }

    /** How many times Curator reported this client's connection SUSPENDED or LOST (for tests). */
    long suspensions() {
        return session.suspensions();
    }

    /** Builds a {@link ZooKeeperBackend}; {@link #build()} validates every setting at once. Not thread-safe. */
    public static final class Builder {
        private final CuratorFramework client;
        private String root = DEFAULT_ROOT;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration driftMargin = DEFAULT_DRIFT_MARGIN;
        private Ticker ticker = Ticker.system();
        private ACLProvider aclProvider = new DefaultACLProvider();
        private boolean closeClient;

        private Builder(CuratorFramework client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** The node under which lockkit keeps {@code locks/} and {@code values/}; default {@value #DEFAULT_ROOT}. */
        public Builder root(String root) {
            this.root = Objects.requireNonNull(root, "root");
            return this;
        }

        /** How long a call waits for a connected server before {@code BackendUnavailableException} (E2); at most {@link #MAX_TIMEOUT}. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Subtracted from every lease's deadline; from zero to {@link Checks#MAX_DRIFT_MARGIN}. The
         * shortest lease granted is twice this ({@link io.lockkit.JobLock#leaseLimits()}).
         */
        public Builder driftMargin(Duration driftMargin) {
            this.driftMargin = Objects.requireNonNull(driftMargin, "driftMargin");
            return this;
        }

        /** The monotonic clock deadlines are measured on; {@link Ticker#system()} by default. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** ACLs for the nodes lockkit creates; open by default. */
        public Builder aclProvider(ACLProvider aclProvider) {
            this.aclProvider = Objects.requireNonNull(aclProvider, "aclProvider");
            return this;
        }

        /** Whether {@link ZooKeeperBackend#close()} also closes the client (the provider's own clients). */
        public Builder closeClientOnClose(boolean closeClient) {
            this.closeClient = closeClient;
            return this;
        }

        /** @throws IllegalArgumentException naming every bad setting */
        public ZooKeeperBackend build() {
            List<String> bad = new ArrayList<>();
            if (client.getState() != CuratorFrameworkState.STARTED) {
                bad.add("client must be started, is " + client.getState());
            }
            try {
                PathUtils.validatePath(root);
            } catch (IllegalArgumentException e) {
                bad.add("root=" + root + " (" + e.getMessage() + ")");
            }
            if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0) {
                bad.add("timeout must be positive and at most " + MAX_TIMEOUT + ", was " + timeout);
            }
            try {
                Checks.driftMargin(driftMargin);
            } catch (IllegalArgumentException e) {
                bad.add(e.getMessage());
            }
            if (!bad.isEmpty()) {
                throw new IllegalArgumentException("bad ZooKeeper backend settings: " + String.join("; ", bad));
            }
            return new ZooKeeperBackend(this);
        }
    }
}
