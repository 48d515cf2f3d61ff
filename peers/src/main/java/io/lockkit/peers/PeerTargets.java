package io.lockkit.peers;

import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;
import java.util.function.Supplier;

/**
 * The peers' {@link TargetFactory}s, registered in {@code
 * META-INF/services/io.lockkit.tck.TargetFactory}: each is a peer ({@link TargetFactory#peer()}
 * true), so the race comparison reports its results as measured and never fails because of them.
 * ShedLock's JDBC provider is here twice, plain ({@code JdbcLockProvider}) and as ShedLock's README
 * recommends it ({@code JdbcTemplateLockProvider} with {@code usingDbTime()}); its ZooKeeper provider
 * at 4.42.0, the newest version the registry serves, on the same shedlock-core as the others.
 */
public final class PeerTargets {
    private PeerTargets() {}

    /** A peer's factory: its column name and how to open it (ServiceLoader needs one class per peer). */
    private abstract static class Peer implements TargetFactory {
        private final String name;
        private final Supplier<TckTarget> target;

        Peer(String name, Supplier<TckTarget> target) {
            this.name = name;
            this.target = target;
        }

        @Override
        public final String name() {
            return name;
        }

        @Override
        public final TckTarget open() {
            return target.get();
        }

        @Override
        public final boolean peer() {
            return true;
        }
    }

    /** [shedlock/jdbc]: {@link ShedLockJdbcTarget}. */
    public static final class ShedLockJdbc extends Peer {
        public ShedLockJdbc() {
            super(ShedLockJdbcTarget.NAME, ShedLockJdbcTarget::new);
        }
    }

    /** [shedlock/jdbc-template]: {@link ShedLockJdbcTemplateTarget}. */
    public static final class ShedLockJdbcTemplate extends Peer {
        public ShedLockJdbcTemplate() {
            super(ShedLockJdbcTemplateTarget.NAME, ShedLockJdbcTemplateTarget::new);
        }
    }

    /** [shedlock/jdbc-template-mariadb]: {@link ShedLockMariaDbTarget}. */
    public static final class ShedLockJdbcTemplateMariaDb extends Peer {
        public ShedLockJdbcTemplateMariaDb() {
            super(ShedLockMariaDbTarget.NAME, ShedLockMariaDbTarget::new);
        }
    }

    /** [shedlock/lockkit-pg]: {@link ShedLockOnLockKitTarget}. */
    public static final class ShedLockOnLockKit extends Peer {
        public ShedLockOnLockKit() {
            super(ShedLockOnLockKitTarget.NAME, ShedLockOnLockKitTarget::new);
        }
    }

    /** [shedlock/redis]: {@link ShedLockRedisTarget}. */
    public static final class ShedLockRedis extends Peer {
        public ShedLockRedis() {
            super(ShedLockRedisTarget.NAME, ShedLockRedisTarget::new);
        }
    }

    /** [shedlock/zookeeper]: {@link ShedLockZooKeeperTarget}. */
    public static final class ShedLockZooKeeper extends Peer {
        public ShedLockZooKeeper() {
            super(ShedLockZooKeeperTarget.NAME, ShedLockZooKeeperTarget::new);
        }
    }

    /** [redisson/rlock]: {@link RedissonTarget} with {@code RLock}. */
    public static final class RedissonRLock extends Peer {
        public RedissonRLock() {
            super(RedissonTarget.RLOCK, () -> new RedissonTarget(false));
        }
    }

    /** [redisson/fenced]: {@link RedissonTarget} with {@code RFencedLock}, its token passed through. */
    public static final class RedissonFenced extends Peer {
        public RedissonFenced() {
            super(RedissonTarget.FENCED, () -> new RedissonTarget(true));
        }
    }

    /** [curator/semaphore-mutex]: {@link CuratorTarget}. */
    public static final class CuratorSemaphoreMutex extends Peer {
        public CuratorSemaphoreMutex() {
            super(CuratorTarget.NAME, CuratorTarget::new);
        }
    }

    /** [naive/lock-table]: {@link NaiveLockTableTarget}. */
    public static final class NaiveLockTable extends Peer {
        public NaiveLockTable() {
            super(NaiveLockTableTarget.NAME, NaiveLockTableTarget::new);
        }
    }

    /** [naive/rmw]: {@link NaiveRmwTarget}. */
    public static final class NaiveRmw extends Peer {
        public NaiveRmw() {
            super(NaiveRmwTarget.NAME, NaiveRmwTarget::new);
        }
    }
}
