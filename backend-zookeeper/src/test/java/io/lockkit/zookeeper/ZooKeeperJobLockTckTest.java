package io.lockkit.zookeeper;

import io.lockkit.tck.JobLockTck;
import io.lockkit.tck.TckTarget;

/** The JobLock TCK against a real ZooKeeper (embedded, or {@value ZkServer#CONNECT_ENV}). */
class ZooKeeperJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new ZooKeeperTarget();
    }
}
