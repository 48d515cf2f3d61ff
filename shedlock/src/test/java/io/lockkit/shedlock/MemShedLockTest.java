package io.lockkit.shedlock;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** ShedLock's provider suite and lockkit's additions on mem (timed leases). */
class MemShedLockTest extends ShedLockSuite {
    private static Clients clients;

    @BeforeAll
    static void open() {
        clients = Clients.open(new io.lockkit.tck.MemTarget(io.lockkit.mem.MemBackend.LeaseKind.TIMED));
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
