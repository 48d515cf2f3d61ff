package io.lockkit.zookeeper;

import io.lockkit.tck.TckTarget;
import io.lockkit.tck.VersionedUpdateTck;

/** The VersionedUpdate TCK against a real ZooKeeper (embedded, or {@value ZkServer#CONNECT_ENV}). */
class ZooKeeperVersionedUpdateTckTest extends VersionedUpdateTck {
    @Override
    protected TckTarget createTarget() {
        return new ZooKeeperTarget();
    }
}
