package io.lockkit.spring.integration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Spring Integration's lock registry tests and lockkit's additions on mem (timed leases). */
class MemLockRegistryTest extends LockRegistrySuite {
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
