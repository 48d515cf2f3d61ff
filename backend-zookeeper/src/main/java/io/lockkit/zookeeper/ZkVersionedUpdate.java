package io.lockkit.zookeeper;

import io.lockkit.FencedOutException;
import io.lockkit.LockKitException;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.spi.Checks;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * Versioned values on persistent znodes, one per key. The compare-and-set is ZooKeeper's {@code
 * setData(path, data, znodeVersion)}, decided by the leader, so concurrent writers of one expected
 * version have exactly one winner (V1). The version users see is the node's {@code mzxid}: 64-bit,
 * global and increasing, so it never repeats (V2); the 32-bit znode version stays inside. Nodes are
 * never deleted: {@code delete} writes a tombstone that keeps the highest fence (V3). Every write
 * carries a random id so a writer whose reply was lost recognises its own write (V4). {@code read}
 * sends a {@code sync} before its {@code getData} (pipelined: still one round trip), so on an
 * ensemble it returns the last acknowledged write even when this client's server lags the leader
 * (V1); ZooKeeper's plain reads are only sequentially consistent. A write refused for its version or for absence is
 * refused after a {@code sync}, never on a stale replica; a write refused for its fence may be
 * refused on the first, unsynced read, which is sound since a fence only grows: a replica's fence
 * above the token means the leader's is too. Thread-safe.
 */
final class ZkVersionedUpdate implements VersionedUpdate {
    private final ZkSession session;

    /** A value node as read: its cell and its stat (mzxid = our version, version = the znode's). */
    private record Snapshot(Cell cell, Stat stat) {
        boolean isLive(long expectedVersion) {
            return !cell.deleted() && stat.getMzxid() == expectedVersion;
        }
    }

    ZkVersionedUpdate(ZkSession session) {
        this.session = session;
    }

    @Override
    public Optional<Versioned> read(String key) {
        Checks.key(key);
        Snapshot s = read(key, true); // V1: the last acknowledged write, also from a lagging follower
        return s == null || s.cell.deleted()
                ? Optional.empty()
                : Optional.of(new Versioned(key, s.cell.value(), s.stat.getMzxid()));
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value) {
        Checks.key(key);
        Checks.value(value);
        return create0(key, value, 0);
    }

    @Override
    public Optional<Versioned> create(String key, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        return create0(key, value, fencingToken);
    }

    /**
     * {@code token} 0 means unfenced. A fresh node is created with the token as its fence; a node
     * that exists (live, or a tombstone keeping its fence) goes through {@link #recreate}.
     */
    private Optional<Versioned> create0(String key, byte[] value, long token) {
        String path = session.valuePath(key);
        String what = "creating '" + key + "'";
        Cell cell = Cell.live(value, token);
        long deadline = session.deadline();
        while (true) {
            try {
                Stat stat = session.once(what, deadline, zk -> {
                    Stat created = new Stat();
                    zk.create(path, cell.encode(), session.acl(path), CreateMode.PERSISTENT, created);
                    return created;
                });
                return Optional.of(new Versioned(key, value, stat.getMzxid()));
            } catch (KeeperException.NoNodeException e) {
                session.ensureParents(path, false);
            } catch (KeeperException.NodeExistsException e) {
                return recreate(key, path, value, token);
            } catch (KeeperException e) {
                if (!ZkSession.isConnectionTrouble(e)) {
                    throw ZkSession.unexpected(what, e);
                }
                Snapshot after = afterLostReply(key, what, e);
                if (after != null && after.cell.writeId().equals(cell.writeId())) {
                    return Optional.of(new Versioned(key, value, after.stat.getMzxid()));
                }
                if (after != null) {
                    throw new OutcomeUnknownException(
                            "the reply to " + what + " was lost and the key was written since", e);
                }
                // still absent: our create was not applied; send it again
            }
        }
    }

    /**
     * The node exists: a tombstone is brought back to life by a compare-and-set on it; a live key
     * stays. The fence is checked first, after a {@code sync} (V3 wins over "exists", as in {@link
     * #compareAndSet0}).
     */
    private Optional<Versioned> recreate(String key, String path, byte[] value, long token) {
        Snapshot s = read(key, true);
        checkFence(key, s, token);
        if (s == null || !s.cell.deleted()) {
            return Optional.empty(); // L6: created by someone else (null: deleted by hand meanwhile)
        }
        Cell next = Cell.live(value, Math.max(s.cell.fence(), token));
        Stat stat = write(key, path, next, s.stat.getVersion(), "creating '" + key + "'");
        if (stat != null) {
            return Optional.of(new Versioned(key, value, stat.getMzxid()));
        }
        checkFence(key, read(key, true), token); // V3 wins over a mere conflict
        return Optional.empty();
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        return compareAndSet0(key, expectedVersion, value, 0);
    }

    @Override
    public Optional<Versioned> compareAndSet(String key, long expectedVersion, byte[] value, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.value(value);
        Checks.fencingToken(fencingToken);
        return compareAndSet0(key, expectedVersion, value, fencingToken);
    }

    /** {@code token} 0 means unfenced. Two round trips: read the znode version, then setData with it. */
    private Optional<Versioned> compareAndSet0(String key, long expected, byte[] value, long token) {
        String path = session.valuePath(key);
        Snapshot s = read(key, false);
        checkFence(key, s, token);
        if (s == null || !s.isLive(expected)) {
            s = read(key, true); // our replica may lag behind the version the caller saw
            checkFence(key, s, token);
            if (s == null || !s.isLive(expected)) {
                return Optional.empty();
            }
        }
        Cell next = Cell.live(value, Math.max(s.cell.fence(), token));
        Stat stat = write(key, path, next, s.stat.getVersion(), "writing '" + key + "'");
        if (stat != null) {
            return Optional.of(new Versioned(key, value, stat.getMzxid()));
        }
        checkFence(key, read(key, true), token); // V3 wins over a mere conflict
        return Optional.empty();
    }

    @Override
    public boolean delete(String key, long expectedVersion) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        return delete0(key, expectedVersion, 0);
    }

    @Override
    public boolean delete(String key, long expectedVersion, long fencingToken) {
        Checks.key(key);
        Checks.expectedVersion(expectedVersion);
        Checks.fencingToken(fencingToken);
        return delete0(key, expectedVersion, fencingToken);
    }

    /**
     * {@code token} 0 means unfenced. Like {@link #compareAndSet0}: the fence is checked first, on
     * a tombstone too (V3 wins over "absent" and over a version conflict); the tombstone then keeps
     * {@code max(fence, token)} and its znode version moves on, so the next version is larger (V2).
     */
    private boolean delete0(String key, long expected, long token) {
        String path = session.valuePath(key);
        Snapshot s = read(key, false);
        checkFence(key, s, token);
        if (s == null || !s.isLive(expected)) {
            s = read(key, true);
            checkFence(key, s, token);
            if (s == null || !s.isLive(expected)) {
                return false;
            }
        }
        Cell tombstone = Cell.tombstone(Math.max(s.cell.fence(), token));
        if (write(key, path, tombstone, s.stat.getVersion(), "deleting '" + key + "'") != null) {
            return true;
        }
        checkFence(key, read(key, true), token); // V3 wins over a mere conflict
        return false;
    }

    private static void checkFence(String key, @Nullable Snapshot s, long token) {
        if (s != null && token != 0 && s.cell.fence() > token) {
            throw new FencedOutException(key, token, s.cell.fence());
        }
    }

    /**
     * One {@code setData} conditioned on the znode version; null on conflict. When its reply is
     * lost, the node is read again: our write id means applied; an unchanged znode version means not
     * applied, and the write is sent again; anything else is {@link OutcomeUnknownException} (V4).
     */
    private @Nullable Stat write(String key, String path, Cell cell, int znodeVersion, String what) {
        if (znodeVersion == -1) { // after 2^32 writes the 32-bit version wraps to -1, which setData reads as "any"
            throw new LockKitException(
                    "znode " + path + " has version -1; a compare-and-set on it would be unconditional");
        }
        long deadline = session.deadline();
        while (true) {
            try {
                return session.once(what, deadline, zk -> zk.setData(path, cell.encode(), znodeVersion));
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                return null;
            } catch (KeeperException e) {
                if (!ZkSession.isConnectionTrouble(e)) {
                    throw ZkSession.unexpected(what, e);
                }
                Snapshot after = afterLostReply(key, what, e);
                if (after != null && after.cell.writeId().equals(cell.writeId())) {
                    return after.stat; // V4: our own write, applied once
                }
                if (after == null || after.stat.getVersion() != znodeVersion) {
                    throw new OutcomeUnknownException(
                            "the reply to " + what + " was lost and the key was written since", e);
                }
                // unchanged since: our write was not applied; send it again
            }
        }
    }

    /** Reads the node once the connection is back; {@link OutcomeUnknownException} if it does not come back in time. */
    private @Nullable Snapshot afterLostReply(String key, String what, KeeperException lost) {
        try {
            return read(key, true);
        } catch (RuntimeException e) {
            OutcomeUnknownException unknown = new OutcomeUnknownException(
                    "the reply to " + what + " was lost and ZooKeeper could not be asked since", lost);
            unknown.addSuppressed(e);
            throw unknown;
        }
    }

    /** The node of {@code key}, or null when it does not exist; {@code synced}: after a {@code sync}, pipelined. */
    private @Nullable Snapshot read(String key, boolean synced) {
        String path = session.valuePath(key);
        String what = "reading '" + key + "'";
        try {
            return session.call(what, zk -> {
                if (synced) {
                    zk.sync(path, (rc, p, ctx) -> {}, null);
                }
                Stat stat = new Stat();
                try {
                    byte[] data = zk.getData(path, false, stat);
                    return new Snapshot(Cell.decode(path, data), stat);
                } catch (KeeperException.NoNodeException e) {
                    return null;
                }
            });
        } catch (KeeperException e) {
            throw ZkSession.unexpected(what, e);
        }
    }
}
