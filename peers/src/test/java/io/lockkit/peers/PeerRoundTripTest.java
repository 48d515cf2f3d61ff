package io.lockkit.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.tck.TargetFactory;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Each peer opens and does one real acquire / contended tryAcquire / release round on its store. */
class PeerRoundTripTest {
    @Test
    void everyPeerIsRegisteredAsAPeer() {
        List<TargetFactory> peers = ServiceLoader.load(TargetFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.getClass().getName().startsWith("io.lockkit.peers."))
                .toList();
        assertThat(peers)
                .extracting(TargetFactory::name)
                .containsExactly(
                        "shedlock/jdbc",
                        "shedlock/jdbc-template",
                        "shedlock/jdbc-template-mariadb",
                        "shedlock/lockkit-pg",
                        "shedlock/redis",
                        "shedlock/zookeeper",
                        "redisson/rlock",
                        "redisson/fenced",
                        "curator/semaphore-mutex",
                        "naive/lock-table",
                        "naive/rmw");
        assertThat(peers).allMatch(TargetFactory::peer);
    }

    @Test
    void shedlockJdbc() throws Exception {
        RoundTrips.round(new PeerTargets.ShedLockJdbc());
    }

    @Test
    void shedlockJdbcTemplate() throws Exception {
        RoundTrips.round(new PeerTargets.ShedLockJdbcTemplate());
    }

    @Test
    void shedlockJdbcTemplateOnMariaDb() throws Exception {
        RoundTrips.round(new PeerTargets.ShedLockJdbcTemplateMariaDb());
    }

    @Test
    void shedlockOnLockKit() throws Exception {
        RoundTrips.round(new PeerTargets.ShedLockOnLockKit());
    }

    @Test
    void shedlockRedis() throws Exception {
        RoundTrips.round(new PeerTargets.ShedLockRedis());
    }

    @Test
    void shedlockZooKeeper() throws Exception {
        RoundTrips.round(new PeerTargets.ShedLockZooKeeper());
    }

    @Test
    void redissonRLock() throws Exception {
        RoundTrips.round(new PeerTargets.RedissonRLock());
    }

    @Test
    void redissonFenced() throws Exception {
        RoundTrips.round(new PeerTargets.RedissonFenced());
    }

    @Test
    void curatorSemaphoreMutex() throws Exception {
        RoundTrips.round(new PeerTargets.CuratorSemaphoreMutex());
    }

    @Test
    void naiveLockTable() throws Exception {
        RoundTrips.round(new PeerTargets.NaiveLockTable());
    }

    @Test
    void naiveRmw() throws Exception {
        RoundTrips.round(new PeerTargets.NaiveRmw());
    }
}
