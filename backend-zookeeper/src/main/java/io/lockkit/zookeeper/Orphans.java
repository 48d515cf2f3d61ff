package io.lockkit.zookeeper;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;

/**
 * Lock nodes this client gave up and still has to delete: the node of a lease lost on a suspended
 * connection (the session may live on, and the node with it, blocking the key), of a lease that
 * ran out without a release or an extend (see {@link ZkLease}), of a waiter that
 * timed out or was interrupted, or a create whose reply was lost ({@code parent/prefix*}: every
 * child whose name starts with the prefix). Only this client's nodes can match, since every name
 * carries a random UUID, so deleting them never touches another holder (L3). Deleted on one
 * daemon thread, now and again on every reconnection. Thread-safe.
 */
final class Orphans {
    private static final System.Logger LOG = System.getLogger(Orphans.class.getName());
    private static final String PREFIX_MARK = "*";

    private final ZkSession session;
    private final long timeoutNanos;
    private final Set<String> paths = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor cleaner = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "lockkit-zookeeper-cleanup");
        t.setDaemon(true);
        return t;
    });

    Orphans(ZkSession session, long timeoutNanos) {
        this.session = session;
        this.timeoutNanos = timeoutNanos;
        cleaner.setRemoveOnCancelPolicy(true);
    }

    /** Runs a short, non-blocking {@code task} on the clean-up thread after {@code delayNanos}; null once closed. */
    @Nullable
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        try {
            return cleaner.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** The orphan for a create whose reply was lost: every child of {@code parent} named {@code prefix…}. */
    static String prefix(String parent, String prefix) {
        return ZKPaths.makePath(parent, prefix) + PREFIX_MARK;
    }

    /** Adds an orphan and starts deleting. */
    void add(String pathOrPrefix) {
        add(pathOrPrefix, true);
    }

    void add(String pathOrPrefix, boolean deleteNow) {
        paths.add(pathOrPrefix);
        if (deleteNow && session.isClosed()) {
            // an acquire that was running when the backend closed: its node is deleted now, on its
            // thread, since the clean-up thread is stopping (with an application's Curator client,
            // the session and the node would otherwise live on and block the key); not when the
            // connection is down, which would make the caller wait a second timeout for nothing
            if (!session.isConnected()) {
                LOG.log(System.Logger.Level.DEBUG, "lock node left for the session to end: " + pathOrPrefix);
                return;
            }
            try {
                deleteOne(pathOrPrefix);
            } catch (RuntimeException | KeeperException e) {
                LOG.log(System.Logger.Level.DEBUG, "lock node left for the session to end", e);
            }
        } else if (deleteNow) {
            deleteInBackground();
        }
    }

    /**
     * Deletes a node on the caller's thread before returning, bounded by the timeout and whatever
     * the caller's interrupt status; if that fails, it stays an orphan for the next reconnection.
     */
    void abandon(String pathOrPrefix) {
        try {
            deleteOne(pathOrPrefix);
        } catch (RuntimeException | KeeperException e) {
            add(pathOrPrefix);
        }
    }

    private void deleteOne(String pathOrPrefix) throws KeeperException {
        session.cleanUp("deleting an abandoned lock node", zk -> {
            delete(zk, pathOrPrefix);
            return null;
        });
        paths.remove(pathOrPrefix);
    }

    Future<?> deleteInBackground() {
        if (paths.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return cleaner.submit(this::deleteAll);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null); // closed: the session ends them
        }
    }

    /** Deletes what it can within {@code waitNanos}, then stops the thread. */
    void close(long waitNanos) {
        try {
            if (waitNanos > 0) {
                deleteInBackground().get(waitNanos, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.DEBUG, "lock nodes left for the session to end", e);
        }
        cleaner.shutdownNow();
    }

    private void deleteAll() {
        for (String orphan : paths) {
            try {
                deleteOne(orphan);
            } catch (RuntimeException | KeeperException e) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "could not delete " + orphan + " yet; will retry on reconnection",
                        e);
                return;
            }
        }
    }

    private static void delete(ZooKeeper zk, String orphan) throws KeeperException, InterruptedException {
        if (!orphan.endsWith(PREFIX_MARK)) {
            deleteIfExists(zk, orphan);
            return;
        }
        String pattern = orphan.substring(0, orphan.length() - PREFIX_MARK.length());
        String parent = ZKPaths.getPathAndNode(pattern).getPath();
        String prefix = ZKPaths.getNodeFromPath(pattern);
        try {
            for (String child : zk.getChildren(parent, false)) {
                if (child.startsWith(prefix)) {
                    deleteIfExists(zk, ZKPaths.makePath(parent, child));
                }
            }
        } catch (KeeperException.NoNodeException e) {
            // the parent is gone, and with it whatever we left there
        }
    }

    private static void deleteIfExists(ZooKeeper zk, String path) throws KeeperException, InterruptedException {
        try {
            zk.delete(path, -1);
        } catch (KeeperException.NoNodeException e) {
            // already gone: released, or its session ended
        }
    }
}
