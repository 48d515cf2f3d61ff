package io.lockkit.zookeeper;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.Ticker;
import io.lockkit.spi.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.ClientCnxn;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * The ZooKeeper lock recipe, written on the raw handle rather than Curator's {@code
 * InterProcessMutex}, which is bound to the acquiring thread and reentrant within it: each acquire
 * creates an ephemeral sequential node {@code <uuid>-lock-<seq>} under the key's container; the
 * lowest node holds; a waiter watches only the node just before its own, so one release wakes one
 * waiter (L7). The random UUID makes every node name unique, so a node whose create reply was lost
 * can be found again, and deleting "our" node can never hit another holder's (L3).
 *
 * <p>Round trips: the create is pipelined with the read of the queue, and a waiter woken because
 * the head of the queue left pipelines its read with the write that gives it its token (see {@link
 * #await}), so a free key costs one round trip, and a wake-up one. Thread-safe.
 */
final class ZkJobLock implements JobLock {
    static final String LOCK_MARK = "-lock-";
    private static final byte[] NO_DATA = new byte[0];

    /**
     * A lock node: its path, creation id, fencing token (the {@code czxid}, or the {@code mzxid} of
     * the write on the key's container that marked a grant after a wait), owning session and that session's timeout.
     */
    record Node(String path, String name, long czxid, long token, long sessionId, Duration sessionTimeout) {
        Node withToken(long newToken) {
            return new Node(path, name, czxid, newToken, sessionId, sessionTimeout);
        }
    }

    /**
     * The lock nodes of a key in order, as seen by one session, and the zxid of the last change to
     * the key's children ({@code pzxid}).
     */
    private record Queue(List<String> names, long sessionId, long pzxid) {}

    /**
     * A node just created, the queue read right behind the create (null when that read failed), and
     * the time both were sent.
     */
    private record Created(Node node, @Nullable Queue queue, long sent) {}

    /** A queue, and the node marked by the write sent right behind that read (null when the node is gone). */
    private record Marked(Queue queue, @Nullable Node node) {}

    private final ZkSession session;
    private final Ticker ticker;
    private final Duration driftMargin;
    private final LeaseLimits limits;

    ZkJobLock(ZkSession session, Ticker ticker, Duration driftMargin) {
        this.session = session;
        this.ticker = ticker;
        this.driftMargin = driftMargin;
        this.limits = LeaseLimits.forDriftMargin(driftMargin);
    }

    /**
     * Shortest: twice the drift margin, so a lease is still valid when it is returned (a shorter
     * one would be granted already invalid). Longest: {@link LeaseLimits#MAX}; a lease longer than
     * the session timeout is bounded by the session (see {@link ZkLease}).
     */
    @Override
    public LeaseLimits leaseLimits() {
        return limits;
    }

    /** One attempt; the caller's interrupt flag is left as it is and does not stop the attempt. */
    @Override
    public Optional<Lease> tryAcquire(String key, Duration lease) {
        Checks.key(key);
        limits.check(lease);
        try {
            return acquire(key, lease, 0, false);
        } catch (InterruptedException e) {
            throw new AssertionError("an uninterruptible acquire was interrupted", e);
        }
    }

    @Override
    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        Checks.key(key);
        limits.check(lease);
        Checks.maxWait(maxWait);
        long waitNanos = maxWait.compareTo(Duration.ofDays(365)) > 0 ? TimeUnit.DAYS.toNanos(365) : maxWait.toNanos();
        return acquire(key, lease, waitNanos, true);
    }

    private Optional<Lease> acquire(String key, Duration lease, long maxWaitNanos, boolean interruptible)
            throws InterruptedException {
        session.checkOpen();
        checkSessionTimeout();
        String parent = session.lockParent(key);
        String what = "acquiring '" + key + "'";
        long waitUntil = System.nanoTime() + maxWaitNanos;
        Node node = null;
        boolean headLeft = false; // the node ahead of ours was the first one and is gone: ours is first now
        try {
            for (int vanished = 0; ; ) {
                checkInterrupt(interruptible);
                long sent = ticker.nanos();
                Queue queue = null;
                Node marked = null;
                boolean markSent = false;
                if (node == null) {
                    Created created = create(parent, what); // create2 + getChildren: one round trip
                    node = created.node();
                    queue = created.queue();
                    sent = created.sent(); // of the attempt that created it, after any parents
                } else if (headLeft && canPipeline()) {
                    Node waiting = node; // getChildren + the grant's write: one round trip
                    Marked read = call(what, zk -> readQueueAndMark(zk, parent, waiting, session.deadline()));
                    queue = read.queue();
                    marked = read.node();
                    markSent = true;
                }
                headLeft = false;
                if (queue == null) {
                    sent = ticker.nanos();
                    queue = call(what, zk -> readQueue(zk, parent));
                }
                checkInterrupt(interruptible);
                int place = queue.names().indexOf(node.name());
                // The node ended with its session, or belongs to an older session that the server may
                // still expire at any moment (L1): never grant it; queue again from this session.
                if (place < 0 || queue.sessionId() != node.sessionId()) {
                    if (place >= 0) {
                        session.orphan(node.path());
                    }
                    node = null;
                    if (++vanished > 3) {
                        throw session.unavailable(what + " (the session keeps expiring)", null);
                    }
                    continue;
                }
                // L2: the czxid is the token only if no child of the key changed since our create:
                // then nothing was ahead of us and no grant came between. Otherwise (a wait, or a
                // predecessor gone before we looked) grants on this or other keys may have come
                // between: one write on our own node takes a zxid from the grant instead (sent
                // with the read above when the head of the queue had left, else now).
                if (place == 0 && queue.pzxid() != node.czxid()) {
                    if (!markSent) {
                        marked = markGranted(node, what);
                    }
                    if (marked == null) {
                        node = null;
                        continue; // the node ended with its session while we marked it: queue again
                    }
                    node = marked;
                }
                if (place == 0) {
                    Lease granted = grant(key, node, sent, lease);
                    node = null;
                    return Optional.of(granted);
                }
                long left = waitUntil - System.nanoTime();
                if (left <= 0) {
                    session.abandon(node.path());
                    node = null;
                    return Optional.empty(); // L6: held by another
                }
                boolean gone =
                        awaitChange(ZKPaths.makePath(parent, queue.names().get(place - 1)), left, what);
                headLeft = gone && place == 1;
            }
        } catch (InterruptedException e) {
            if (node != null) {
                session.abandon(node.path()); // L8: deleted before we return
            }
            Thread.currentThread().interrupt();
            throw e;
        } catch (RuntimeException e) {
            if (node != null) {
                session.orphan(node.path());
            }
            throw e;
        }
    }

    /**
     * E1 where the URI's check cannot see: the session timeout the server granted (which may be
     * below the one asked for, or set on an application's own Curator client) must be at least twice
     * the drift margin. Every lease is cut to it less the margin: below that, a lease would come back
     * with less than half the session left, or already invalid, while its node blocks the key.
     */
    private void checkSessionTimeout() {
        long granted = session.negotiatedSessionTimeoutMillis(); // 0 while not connected: the create will tell
        if (granted > 0 && Duration.ofMillis(granted).compareTo(driftMargin.multipliedBy(2)) < 0) {
            throw new IllegalStateException("the ZooKeeper session timeout the server granted, "
                    + Duration.ofMillis(granted) + ", is less than twice this backend's driftMargin, "
                    + driftMargin + ": a lease lasts at most the session timeout less the margin; use a"
                    + " smaller driftMargin or a longer sessionTimeout (within the server's maxSessionTimeout)");
        }
    }

    private static void checkInterrupt(boolean interruptible) throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException("interrupted while acquiring a lock");
        }
    }

    /**
     * {@code node} with the {@code mzxid} of a write as its token; null when the node is gone. The
     * write goes to the key's container, in one {@code multi} with a check that the node still
     * exists: a write on the node itself would fire the data watch of the waiter queued behind it,
     * waking a second waiter for one release (L7).
     */
    private @Nullable Node markGranted(Node node, String what) {
        Stat stat = call(what, zk -> {
            try {
                List<OpResult> results = zk.multi(mark(node));
                return ((OpResult.SetDataResult) results.get(1)).getStat();
            } catch (KeeperException.NoNodeException e) {
                return null;
            }
        });
        return stat == null ? null : node.withToken(stat.getMzxid());
    }

    /** The grant's write: the node must still exist, and the key's container takes the write. */
    private static List<Op> mark(Node node) {
        return List.of(
                Op.check(node.path(), -1),
                Op.setData(ZKPaths.getPathAndNode(node.path()).getPath(), NO_DATA, -1));
    }

    /**
     * The lease on {@code node}; {@link IllegalStateException} when the backend was closed meanwhile
     * (its close may have ended the session, and the node with it: a lease handed out now could
     * overlap the next holder's, L1), and then the caller deletes the node.
     */
    private Lease grant(String key, Node node, long sent, Duration lease) {
        ZkLease granted = new ZkLease(session, key, node, ticker, sent, lease, driftMargin, limits);
        session.track(granted);
        if (session.isClosed()) { // close() sets the flag before it looks at the tracked leases
            session.untrack(granted);
            throw ZkSession.closedException();
        }
        granted.runOutAfter(lease);
        return granted;
    }

    /**
     * One create, pipelined with a read of the key's queue (one round trip); after a lost reply it
     * first looks for the node by its unique prefix (as Curator's protected mode does) so that a
     * retry never leaves a second node behind.
     */
    private Created create(String parent, String what) {
        String prefix = UUID.randomUUID() + LOCK_MARK;
        String base = ZKPaths.makePath(parent, prefix);
        long deadline = session.deadline();
        boolean maybeCreated = false;
        try {
            while (true) {
                boolean search = maybeCreated;
                long sent = ticker.nanos();
                try {
                    return session.once(what, deadline, zk -> {
                        Node found = search ? find(zk, parent, prefix) : null;
                        if (found != null) {
                            return new Created(found, null, sent);
                        }
                        if (!canPipeline()) {
                            Stat stat = new Stat();
                            String path =
                                    zk.create(base, NO_DATA, session.acl(base), CreateMode.EPHEMERAL_SEQUENTIAL, stat);
                            return new Created(node(zk, path, stat), null, sent);
                        }
                        // the replies of this attempt, each within the call timeout from now: the parents'
                        // creation and earlier attempts do not count against them
                        long replyBy = session.deadline();
                        CompletableFuture<Node> created = new CompletableFuture<>();
                        zk.create(
                                base,
                                NO_DATA,
                                session.acl(base),
                                CreateMode.EPHEMERAL_SEQUENTIAL,
                                (rc, path, ctx, name, stat) -> {
                                    if (rc == Code.OK.intValue()) {
                                        created.complete(node(zk, name, stat));
                                    } else {
                                        created.completeExceptionally(KeeperException.create(Code.get(rc), path));
                                    }
                                },
                                null);
                        CompletableFuture<Queue> queue = sendQueueRead(zk, parent); // sees the create: see await
                        Node node = await(created, replyBy);
                        try {
                            return new Created(node, await(queue, replyBy), sent);
                        } catch (KeeperException e) {
                            return new Created(node, null, sent); // the caller reads it again
                        }
                    });
                } catch (KeeperException.NoNodeException e) {
                    session.ensureParents(base, true);
                } catch (KeeperException e) {
                    if (!ZkSession.isConnectionTrouble(e)) {
                        throw ZkSession.unexpected(what, e);
                    }
                    maybeCreated = true;
                    if (System.nanoTime() - deadline >= 0) {
                        throw session.unavailable(what, e);
                    }
                }
            }
        } catch (RuntimeException e) {
            if (maybeCreated) {
                session.orphan(ZkSession.prefixOrphan(parent, prefix));
            }
            throw e;
        }
    }

    /** The key's queue (a getChildren of {@code parent}), lowest sequence number first; empty when the parent is gone. */
    private static Queue readQueue(ZooKeeper zk, String parent) throws KeeperException, InterruptedException {
        Stat stat = new Stat();
        try {
            return new Queue(lockNodes(zk.getChildren(parent, false, stat)), zk.getSessionId(), stat.getPzxid());
        } catch (KeeperException.NoNodeException e) {
            return new Queue(List.of(), zk.getSessionId(), 0);
        }
    }

    /** {@link #readQueue}, sent without waiting for its reply. */
    private static CompletableFuture<Queue> sendQueueRead(ZooKeeper zk, String parent) {
        long sessionId = zk.getSessionId();
        CompletableFuture<Queue> reply = new CompletableFuture<>();
        zk.getChildren(
                parent,
                false,
                (rc, path, ctx, children, stat) -> {
                    if (rc == Code.OK.intValue()) {
                        reply.complete(new Queue(lockNodes(children), sessionId, stat.getPzxid()));
                    } else if (rc == Code.NONODE.intValue()) {
                        reply.complete(new Queue(List.of(), sessionId, 0));
                    } else {
                        reply.completeExceptionally(KeeperException.create(Code.get(rc), path));
                    }
                },
                null);
        return reply;
    }

    /**
     * The key's queue and, sent right behind that read, the write of {@link #markGranted} on {@code
     * node}: one round trip. Processed after the read (see {@link #await}), the write takes a zxid
     * above every one the read could see, as {@link #markGranted} sent after the reply would.
     */
    private static Marked readQueueAndMark(ZooKeeper zk, String parent, Node node, long deadline)
            throws KeeperException, InterruptedException {
        CompletableFuture<Queue> queue = sendQueueRead(zk, parent);
        CompletableFuture<@Nullable Stat> mark = new CompletableFuture<>();
        zk.multi(
                mark(node),
                (rc, path, ctx, results) -> {
                    if (rc == Code.OK.intValue()) {
                        mark.complete(((OpResult.SetDataResult) results.get(1)).getStat());
                    } else if (rc == Code.NONODE.intValue()) {
                        mark.complete(null); // the node is gone
                    } else {
                        mark.completeExceptionally(KeeperException.create(Code.get(rc), path));
                    }
                },
                null);
        Queue read = await(queue, deadline);
        Stat stat = await(mark, deadline);
        return new Marked(read, stat == null ? null : node.withToken(stat.getMzxid()));
    }

    /**
     * The reply to a request sent with the asynchronous API. Requests sent one after the other on
     * one handle are pipelined: later ones go out before earlier replies are back, and still see
     * the earlier ones' effects, since ZooKeeper keeps a session's order end to end. The client
     * queues synchronous and asynchronous calls alike on one outgoing queue and sends them in that
     * order, and matches replies in it ({@code ClientCnxn.queuePacket}, and {@code readResponse}:
     * "requests are processed in order", a reply out of order drops the connection); the server
     * applies a client's updates "in the order that they were sent" (Programmer's Guide,
     * Consistency Guarantees) and runs a session's reads and writes in order ({@code
     * CommitProcessor}: "each session's requests must be processed in order"). So a getChildren
     * sent right behind a create lists the new node, and a write sent right behind a getChildren
     * gets a zxid above every change the getChildren saw. The callbacks that complete {@code
     * reply} run on the client's event thread, in reply order (so never wait there: {@link
     * #canPipeline}).
     */
    private static <T> T await(CompletableFuture<T> reply, long deadline) throws KeeperException, InterruptedException {
        try {
            // Bounded: replies to asynchronous calls come through the client's event thread, which a
            // slow watcher or callback of the application may hold. Then it counts as connection
            // trouble: the create looks for its node again, with synchronous calls, and a read
            // retries, both until the call's timeout (E2).
            return reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw (KeeperException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new KeeperException.ConnectionLossException();
        }
    }

    /**
     * Whether this thread may wait for the reply to an asynchronous call: not on a ZooKeeper
     * client's event thread (lockkit called from a watcher or a Curator background callback), which
     * runs those replies' callbacks and would wait for itself. There the requests go one by one, as
     * synchronous calls, as the ZooKeeper client allows.
     */
    private static boolean canPipeline() {
        return !ClientCnxn.isInEventThread();
    }

    /**
     * The lock nodes among {@code children}, in the order they were created (L1). The server numbers
     * a container's children with a signed 32-bit counter, which wraps after 2³¹ creates on a container
     * that was never empty long enough to be removed: {@code …-lock-2147483647} is followed by {@code
     * …-lock--2147483648}. When the queue holds numbers from both ends of the range, the negative ones
     * come after the positive ones (the nodes alive at once are fewer than 2³⁰ apart).
     */
    static List<String> lockNodes(List<String> children) {
        List<String> queue = new ArrayList<>();
        boolean low = false;
        boolean high = false;
        for (String child : children) {
            if (child.contains(LOCK_MARK)) {
                queue.add(child);
                long sequence = sequence(child);
                low |= sequence < -(1L << 30);
                high |= sequence >= 1L << 30;
            }
        }
        boolean wrapped = low && high;
        queue.sort(Comparator.comparingLong(node -> {
            long sequence = sequence(node);
            return wrapped && sequence < 0 ? sequence + (1L << 32) : sequence;
        }));
        return queue;
    }

    private static long sequence(String node) {
        return Long.parseLong(node.substring(node.lastIndexOf(LOCK_MARK) + LOCK_MARK.length()));
    }

    private static @Nullable Node find(ZooKeeper zk, String parent, String prefix)
            throws KeeperException, InterruptedException {
        try {
            for (String child : zk.getChildren(parent, false)) {
                if (child.startsWith(prefix)) {
                    String path = ZKPaths.makePath(parent, child);
                    Stat stat = zk.exists(path, false);
                    if (stat != null) {
                        return node(zk, path, stat);
                    }
                }
            }
        } catch (KeeperException.NoNodeException e) {
            // no parent, no node
        }
        return null;
    }

    private static Node node(ZooKeeper zk, String path, Stat stat) {
        return new Node(
                path,
                ZKPaths.getNodeFromPath(path),
                stat.getCzxid(),
                stat.getCzxid(),
                stat.getEphemeralOwner(),
                Duration.ofMillis(zk.getSessionTimeout()));
    }

    /**
     * Waits until the predecessor changes (deleted: the usual case), the connection changes, or
     * {@code nanos} pass; true when the predecessor is known to be gone. The watch is a {@code
     * getData} watch, which ZooKeeper does not leave behind when the node is already gone (an {@code
     * exists} watch would).
     */
    private boolean awaitChange(String predecessor, long nanos, String what) throws InterruptedException {
        CountDownLatch changed = new CountDownLatch(1);
        AtomicBoolean deleted = new AtomicBoolean();
        Watcher watcher = event -> {
            if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                deleted.set(true);
            }
            changed.countDown();
        };
        boolean watching = call(what, zk -> {
            try {
                zk.getData(predecessor, watcher, null);
                return true;
            } catch (KeeperException.NoNodeException e) {
                return false;
            }
        });
        if (!watching) {
            return true;
        }
        boolean fired = false;
        try {
            // a close wakes the waiter, which then finds the backend closed and deletes its node
            fired = !session.waiting(changed) || changed.await(nanos, TimeUnit.NANOSECONDS);
        } finally {
            session.doneWaiting(changed);
            if (!fired || session.isClosed()) {
                session.unwatch(predecessor, watcher);
            }
        }
        return deleted.get();
    }

    private <T> T call(String what, ZkSession.Op<T> op) {
        try {
            return session.call(what, op);
        } catch (KeeperException e) {
            throw ZkSession.unexpected(what, e);
        }
    }
}
