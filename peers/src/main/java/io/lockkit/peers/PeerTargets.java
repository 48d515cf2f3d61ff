package io.lockkit.peers;

import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;

/**
 * The peers' {@link TargetFactory}s, registered in {@code
 * META-INF/services/io.lockkit.tck.TargetFactory}: each is a peer ({@link TargetFactory#peer()}
 * true), so the race comparison reports its results as measured and never fails because of them.
 * ShedLock's ZooKeeper provider is among them in its last release (4.42.0; ShedLock 5 dropped it),
 * run on the same shedlock-core as the other ShedLock providers.
 */
public final class PeerTargets {
    private PeerTargets() {}

    /** [shedlock/jdbc]: {@link ShedLockJdbcTarget}. */
    public static final class ShedLockJdbc implements TargetFactory {
        @Override
        public String name() {
            return ShedLockJdbcTarget.NAME;
        }

        @Override
        public TckTarget open() {
            return new ShedLockJdbcTarget();
        }

        @Override
        public boolean peer() {
            return true;
        }
    }

    /** [shedlock/redis]: {@link ShedLockRedisTarget}. */
    public static final class ShedLockRedis implements TargetFactory {
        @Override
        public String name() {
            return ShedLockRedisTarget.NAME;
        }

        @Override
        public TckTarget open() {
            return new ShedLockRedisTarget();
        }

        @Override
        public boolean peer() {
            return true;
        }
    }

    /** [shedlock/zookeeper]: {@link ShedLockZooKeeperTarget}. */
    public static final class ShedLockZooKeeper implements TargetFactory {
        @Override
        public String name() {
            return ShedLockZooKeeperTarget.NAME;
        }

        @Override
        public TckTarget open() {
            return new ShedLockZooKeeperTarget();
        }

        @Override
        public boolean peer() {
            return true;
        }
    }

    /** [redisson/rlock]: {@link RedissonTarget} with {@code RLock}. */
    public static final class RedissonRLock implements TargetFactory {
        @Override
        public String name() {
            return RedissonTarget.RLOCK;
        }

        @Override
        public TckTarget open() {
            return new RedissonTarget(false);
        }

        @Override
        public boolean peer() {
            return true;
        }
    }

    /** [redisson/fenced]: {@link RedissonTarget} with {@code RFencedLock}, its token passed through. */
    public static final class RedissonFenced implements TargetFactory {
        @Override
        public String name() {
            return RedissonTarget.FENCED;
        }

        @Override
        public TckTarget open() {
            return new RedissonTarget(true);
        }

        @Override
        public boolean peer() {
            return true;
        }
    }

    /** [curator/semaphore-mutex]: {@link CuratorTarget}. */
    public static final class CuratorSemaphoreMutex implements TargetFactory {
        @Override
        public String name() {
            return CuratorTarget.NAME;
        }

        @Override
        public TckTarget open() {
            return new CuratorTarget();
        }

        @Override
        public boolean peer() {
            return true;
        }
    }

    /** [naive/lock-table]: {@link NaiveLockTableTarget}. */
    public static final class NaiveLockTable implements TargetFactory {
        @Override
        public String name() {
            return NaiveLockTableTarget.NAME;
        }

        @Override
        public TckTarget open() {
            return new NaiveLockTableTarget();
        }

        @Override
        public boolean peer() {
            return true;
        }
    }

    /** [naive/rmw]: {@link NaiveRmwTarget}. */
    public static final class NaiveRmw implements TargetFactory {
        @Override
        public String name() {
            return NaiveRmwTarget.NAME;
        }

        @Override
        public TckTarget open() {
            return new NaiveRmwTarget();
        }

        @Override
        public boolean peer() {
            return true;
        }
    }
}
