package io.lockkit.zookeeper;

import io.lockkit.tck.TckTarget;
import io.lockkit.tck.VersionedUpdateTck;
import io.lockkit.testkit.zookeeper.ZooKeeperTarget;
import io.lockkit.testkit.zookeeper.ZooKeeperTestServer;

/** The VersionedUpdate TCK against a real ZooKeeper (embedded, or {@value ZooKeeperTestServer#CONNECT_ENV}). */
class ZooKeeperVersionedUpdateTckTest extends VersionedUpdateTck {
    @Override
    protected TckTarget createTarget() {
        return new ZooKeeperTarget();
    }
}
