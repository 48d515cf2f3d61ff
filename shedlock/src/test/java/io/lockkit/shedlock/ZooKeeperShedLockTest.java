package io.lockkit.shedlock;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** ShedLock's provider suite and lockkit's additions on ZooKeeper. */
class ZooKeeperShedLockTest extends ShedLockSuite {
    private static Clients clients;

    @BeforeAll
    static void open() {
        clients = Clients.open(new io.lockkit.testkit.zookeeper.ZooKeeperTarget());
    }

    @AfterAll
    static void close() {
        clients.close();
    }

    @Override
    Clients clients() {
        return clients;
    }
}
