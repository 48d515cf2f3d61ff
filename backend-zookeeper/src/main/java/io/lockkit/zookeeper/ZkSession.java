package io.lockkit.zookeeper;

import io.lockkit.BackendUnavailableException;
import io.lockkit.LockKitException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.jspecify.annotations.Nullable;

/**
 * One client's access to ZooKeeper: the single session that serves all its leases, calls bounded
 * in time (E2), the leases it holds, and the lock nodes it gave up and still has to delete.
 * Thread-safe.
 *
 * <p>Every call goes to the raw {@link ZooKeeper} handle of the user's {@link CuratorFramework}
 * rather than through Curator's retry loop: a write retried blindly after a lost reply is the
 * doubled update of V4, and Curator's retry time is not the bound E2 asks for.
 */
final class ZkSession implements ConnectionStateListener {
    /** One ZooKeeper request (or a few pipelined ones) on a connected handle. */
    interface Op<T> {
        T run(ZooKeeper zk) throws KeeperException, InterruptedException;
    }

    private static final System.Logger LOG = System.getLogger(ZkSession.class.getName());
    private static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final CuratorFramework client;
    private final ACLProvider acl;
    private final long timeoutNanos;
    private final String locksPath;
    private final String valuesPath;
    private final Set<ZkLease> held = ConcurrentHashMap.newKeySet();
    private final Orphans orphans;
    private final AtomicLong suspensions = new AtomicLong();
    /** Waiters of this client's acquires, woken when it closes. */
    private final Set<CountDownLatch> waiters = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;

    ZkSession(CuratorFramework client, ACLProvider acl, Duration timeout, String root) {
        this.client = client;
        this.acl = acl;
        this.timeoutNanos = timeout.toNanos();
        String base = ZKPaths.fixForNamespace(client.getNamespace(), root);
        this.locksPath = ZKPaths.makePath(base, "locks");
        this.valuesPath = ZKPaths.makePath(base, "values");
        this.orphans = new Orphans(this, timeoutNanos);
        client.getConnectionStateListenable().addListener(this);
    }

    /** The container under which the lock nodes of {@code key} queue. */
    String lockParent(String key) {
        return ZKPaths.makePath(locksPath, KeyCodec.encode(key));
    }

    /** The persistent node holding the value of {@code key}. */
    String valuePath(String key) {
        return ZKPaths.makePath(valuesPath, KeyCodec.encode(key));
    }

    List<ACL> acl(String path) {
        return acl.getAclForPath(path);
    }

    /** Creates the missing ancestors of {@code path}: containers for lock parents, persistent otherwise. */
    void ensureParents(String path, boolean containers) {
        String what = "creating the parents of " + path;
        try {
            call(what, zk -> {
                ZKPaths.mkdirs(zk, path, false, acl, containers);
                return null;
            });
        } catch (KeeperException e) {
            throw unexpected(what, e);
        }
    }

    // ---- calls ----

    long deadline() {
        return System.nanoTime() + timeoutNanos;
    }

    /**
     * Runs an idempotent {@code op}, retried on connection trouble until the timeout, then {@link
     * BackendUnavailableException} (E2). Other {@link KeeperException}s reach the caller. An
     * interrupt is no store failure: the call finishes and the thread's interrupt flag is set again
     * afterwards (L8: an interrupted thread can still release its lease).
     */
    <T> T call(String what, Op<T> op) throws KeeperException {
        return call(what, op, true);
    }

    /**
     * {@link #call} for deleting this client's own lock nodes, also after this backend was closed
     * (an acquire still running then cleans up after itself) as long as the {@link CuratorFramework}
     * is open.
     */
    <T> T cleanUp(String what, Op<T> op) throws KeeperException {
        return call(what, op, false);
    }

    private <T> T call(String what, Op<T> op, boolean onlyOpen) throws KeeperException {
        boolean interrupted = Thread.interrupted();
        try {
            long deadline = deadline();
            while (true) {
                try {
                    return op.run(connected(what, deadline, onlyOpen));
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (KeeperException e) {
                    if (!isConnectionTrouble(e)) {
                        throw e;
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        throw unavailable(what, e);
                    }
                    LockSupport.parkNanos(RETRY_PAUSE_NANOS); // e.g. throttled while still connected
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Sends a write {@code op} once. Connection trouble after it was sent reaches the caller as a
     * {@link KeeperException} for which {@link #isConnectionTrouble} holds, and so does an interrupt
     * while waiting for the reply (the thread's flag is set again afterwards): either way the caller
     * does not know whether the write was applied (V4).
     */
    <T> T once(String what, long deadline, Op<T> op) throws KeeperException {
        boolean interrupted = Thread.interrupted();
        try {
            ZooKeeper zk = null;
            while (zk == null) {
                try {
                    zk = connected(what, deadline);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            try {
                return op.run(zk);
            } catch (InterruptedException e) {
                interrupted = true;
                throw new KeeperException.ConnectionLossException();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The current handle once it is connected; {@link BackendUnavailableException} at {@code deadline}. */
    ZooKeeper connected(String what, long deadline) throws InterruptedException {
        return connected(what, deadline, true);
    }

    private ZooKeeper connected(String what, long deadline, boolean onlyOpen) throws InterruptedException {
        if (onlyOpen) {
            checkOpen();
        }
        while (true) {
            ZooKeeper zk = handle(what);
            if (zk.getState().isConnected()) {
                return zk;
            }
            long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMillis <= 0) {
                throw unavailable(what, null);
            }
            // Curator's state may still say connected for a moment after the handle lost its connection.
            if (client.blockUntilConnected((int) Math.min(leftMillis, 50), TimeUnit.MILLISECONDS)) {
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private ZooKeeper handle(String what) {
        try {
            return client.getZookeeperClient().getZooKeeper();
        } catch (IllegalStateException e) {
            throw e; // the CuratorFramework is not started or already closed: misuse, not an outage
        } catch (Exception e) {
            throw unavailable(what, e);
        }
    }

    boolean isConnected() {
        return client.getZookeeperClient().isConnected();
    }

    /**
     * The session timeout the server last granted; 0 before the first connection. Curator's own
     * record: reading it has no side effect (unlike {@code getZooKeeper()}, which hands out
     * Curator's queued background errors).
     */
    long negotiatedSessionTimeoutMillis() {
        return client.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
    }

    static boolean isConnectionTrouble(KeeperException e) {
        Code c = e.code();
        return c == Code.CONNECTIONLOSS
                || c == Code.SESSIONEXPIRED
                || c == Code.SESSIONMOVED
                || c == Code.OPERATIONTIMEOUT
                || c == Code.REQUESTTIMEOUT
                || c == Code.THROTTLEDOP;
    }

    BackendUnavailableException unavailable(String what, @Nullable Throwable cause) {
        return new BackendUnavailableException(
                "ZooKeeper at " + client.getZookeeperClient().getCurrentConnectionString() + " did not answer within "
                        + Duration.ofNanos(timeoutNanos) + " while " + what,
                cause);
    }

    static LockKitException unexpected(String what, KeeperException e) {
        return new LockKitException("ZooKeeper refused " + what + ": " + e.getMessage(), e);
    }

    void checkOpen() {
        if (closed) {
            throw closedException();
        }
    }

    static IllegalStateException closedException() {
        return new IllegalStateException("this lockkit ZooKeeper backend is closed");
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Registers the latch an acquire waits on, so that {@link #close} wakes it (it then finds the
     * backend closed, deletes its node and throws); false when the backend is already closed.
     */
    boolean waiting(CountDownLatch latch) {
        waiters.add(latch);
        if (closed) {
            waiters.remove(latch);
            return false;
        }
        return true;
    }

    void doneWaiting(CountDownLatch latch) {
        waiters.remove(latch);
    }

    /** Removes a watch a waiter no longer needs, on the server too (best effort, never blocks). */
    void unwatch(String path, Watcher watcher) {
        try {
            client.getZookeeperClient()
                    .getZooKeeper()
                    .removeWatches(path, watcher, Watcher.WatcherType.Data, true, (rc, p, ctx) -> {}, null);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "could not remove a watch on " + path, e);
        }
    }

    void track(ZkLease hold) {
        held.add(hold);
    }

    /** Whether {@code hold} was still tracked (not released, lost or run out before). */
    boolean untrack(ZkLease hold) {
        return held.remove(hold);
    }

    /** Runs a short, non-blocking {@code task} after {@code delayNanos} on this client's clean-up thread. */
    @Nullable
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return orphans.schedule(task, delayNanos);
    }

    /**
     * A lease that ran out ({@link ZkLease}): its node, which the session would otherwise keep,
     * is deleted now, unless the lease was released or lost meanwhile.
     */
    void ranOut(ZkLease hold) {
        if (held.remove(hold)) {
            orphans.add(hold.path());
        }
    }

    /** Number of times the connection was suspended or lost (test hook). */
    long suspensions() {
        return suspensions.get();
    }

    /**
     * Gives up a lock node this client may have left behind, deleting it before returning (bounded
     * by the timeout, whatever the caller's interrupt status: L8); see {@link Orphans}.
     */
    void abandon(String pathOrPrefix) {
        orphans.abandon(pathOrPrefix);
    }

    /** Like {@link #abandon} without waiting: for when the store is already known to be out of reach. */
    void orphan(String pathOrPrefix) {
        orphans.add(pathOrPrefix);
    }

    static String prefixOrphan(String parent, String prefix) {
        return Orphans.prefix(parent, prefix);
    }

    // ---- connection events ----

    /**
     * SUSPENDED or LOST: every lease of this client is lost at once (Curator TN14: a suspended
     * connection may be an expired session), and its node is deleted as soon as the connection is
     * back, so that a lease the holder can no longer release does not block the key while the
     * session lives on.
     */
    @Override
    public void stateChanged(CuratorFramework c, ConnectionState state) {
        if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
            loseAll();
            suspensions.incrementAndGet();
        } else if (state.isConnected()) {
            orphans.deleteInBackground();
        }
    }

    /**
     * Stops listening; ends every lease of this client, deleting its node (best effort, bounded).
     * Closed first: an acquire still running then hands out no lease (its grant sees the flag, or
     * this sees its lease), and one waiting is woken; either deletes its own node on its thread.
     */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.getConnectionStateListenable().removeListener(this);
        waiters.forEach(CountDownLatch::countDown);
        loseAll();
        orphans.close(client.getZookeeperClient().isConnected() ? timeoutNanos : 0);
    }

    private void loseAll() {
        for (ZkLease hold : held) {
            if (held.remove(hold)) {
                orphans.add(hold.path(), false);
                hold.lost();
            }
        }
    }
}
