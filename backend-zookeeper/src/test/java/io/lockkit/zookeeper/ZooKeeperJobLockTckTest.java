package io.lockkit.zookeeper;

import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;
import io.lockkit.testkit.zookeeper.ZooKeeperTarget;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;

/** The JobLock TCK against a real ZooKeeper (embedded, or {@value ZooKeeperTestServer#CONNECT_ENV}). */
class ZooKeeperJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new ZooKeeperTarget();
    }
}
