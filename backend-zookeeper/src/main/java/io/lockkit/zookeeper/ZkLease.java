package io.lockkit.zookeeper;

import io.lockkit.LeaseLimits;
import io.lockkit.Ticker;
import io.lockkit.spi.AbstractLease;
import io.lockkit.spi.Checks;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * A lock node this client holds: the lowest ephemeral sequential node under the key's parent,
 * fenced by its token (L2: the {@code czxid}, or the {@code mzxid} of the grant after a wait).
 * Thread-safe; any thread may extend or release it.
 *
 * <p>The store keeps the node as long as the client's session lives, and the server keeps a
 * session at least the negotiated session timeout {@code T} after the last request it heard. So
 * the deadline is the send time of the last acknowledged acquire/extend + {@code min(lease, T)} −
 * drift margin: a {@code lease} longer than {@code T} is cut to {@code T} ({@link #guaranteed}).
 *
 * <p><b>Running out.</b> A live session would keep the node, and block the key, for as long as the
 * process runs. So this client deletes the node itself {@code lease} after the reply to the last
 * successful acquire or extend, unless the lease was released or lost before; by then the deadline
 * has passed (it is at most {@code lease} − margin after the send), so the holder has already seen
 * {@link #isValid()} false, and no extend can make it valid again (L5). The key is thus blocked no
 * longer than a timed lease of the same length would block it, plus one round trip; sooner when the
 * session ends (L4).
 */
final class ZkLease extends AbstractLease {
    private final ZkSession session;
    private final String path;
    private final long sessionId;
    private final long czxid;
    private final Duration sessionTimeout;
    private @Nullable ScheduledFuture<?> runOut;

    ZkLease(
            ZkSession session,
            String key,
            ZkJobLock.Node node,
            Ticker ticker,
            long sent,
            Duration lease,
            Duration margin,
            LeaseLimits limits) {
        super(key, node.token(), ticker, sent, cap(lease, node.sessionTimeout()), margin, limits);
        this.sessionTimeout = node.sessionTimeout();
        this.session = session;
        this.path = node.path();
        this.sessionId = node.sessionId();
        this.czxid = node.czxid();
    }

    String path() {
        return path;
    }

    /** Deletes the node {@code lease} from now, unless released, lost or extended before (see the class comment). */
    synchronized void runOutAfter(Duration lease) {
        stopRunOut();
        runOut = session.schedule(this::ranOut, Checks.saturatedNanos(lease));
    }

    private synchronized void stopRunOut() {
        if (runOut != null) {
            runOut.cancel(false);
            runOut = null;
        }
    }

    private void ranOut() {
        if (!isValid()) { // valid only if an extend succeeded meanwhile: it scheduled its own run-out
            session.ranOut(this);
        }
    }

    /** A lease longer than the session timeout is cut to it: the store keeps the node no longer (L5). */
    @Override
    protected Duration guaranteed(Duration requested) {
        return cap(requested, sessionTimeout);
    }

    static Duration cap(Duration lease, Duration sessionTimeout) {
        return lease.compareTo(sessionTimeout) < 0 ? lease : sessionTimeout;
    }

    @Override
    public String toString() {
        return super.toString() + "[node=" + path + "]";
    }

    /** The connection was suspended or the session lost (called by {@link ZkSession}). */
    void lost() {
        stopRunOut();
        markLost();
    }

    /**
     * One round trip (a sync pipelined with an exists): the node is still there, ours, and the
     * session alive. Ours only while this very session, not a successor, is the one the server
     * keeps (L1): a ZooKeeper client gets a new session only once the old one has expired, and an
     * expired session's ephemeral nodes are gone.
     */
    @Override
    protected boolean doExtend(Duration lease) {
        try {
            boolean ours = session.call("extending the lease on '" + key() + "'", zk -> {
                if (zk.getSessionId() != sessionId) {
                    return false;
                }
                try {
                    zk.sync(path, (rc, p, ctx) -> {}, null);
                    Stat stat = zk.exists(path, false);
                    return stat != null && stat.getEphemeralOwner() == sessionId && stat.getCzxid() == czxid;
                } catch (KeeperException.SessionExpiredException e) {
                    return false; // our session ended, and the node with it
                }
            });
            if (ours) {
                runOutAfter(lease);
            } else {
                stopRunOut();
                session.untrack(this); // gone with its session: nothing left to delete
            }
            return ours;
        } catch (KeeperException e) {
            throw ZkSession.unexpected("extending the lease on '" + key() + "'", e);
        }
    }

    /**
     * One round trip: deletes this lease's node, whose name is unique to it, so no other holder's
     * node is ever touched (L3). A delete whose reply was lost and that finds the node gone
     * afterwards, in the same session, was ours. Once the lease's session has ended (the handle
     * has a new one, or the server says it expired) its node is gone: false, without a delete.
     */
    @Override
    protected boolean doRelease() {
        stopRunOut();
        session.untrack(this);
        int[] attempts = {0};
        String what = "releasing the lease on '" + key() + "'";
        try {
            return session.call(what, zk -> {
                if (zk.getSessionId() != sessionId) {
                    return false;
                }
                attempts[0]++;
                try {
                    zk.delete(path, -1);
                    return true;
                } catch (KeeperException.NoNodeException e) {
                    return attempts[0] > 1;
                } catch (KeeperException.SessionExpiredException e) {
                    return false;
                }
            });
        } catch (KeeperException e) {
            throw ZkSession.unexpected(what, e);
        } catch (RuntimeException e) {
            session.orphan(path); // deleted on reconnection, or gone with the session (L4)
            throw e;
        }
    }
}
