package io.lockkit.testkit.zookeeper;

import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;

/** ZooKeeper for the race comparison, on an in-JVM server (or the ensemble named by the environment). */
public final class ZooKeeperTargetFactory implements TargetFactory {
    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public TckTarget open() {
        return new ZooKeeperTarget(ZooKeeperTarget.RACE_SESSION_TIMEOUT, ZooKeeperTarget.RACE_TIMEOUT);
    }
}
