package io.lockkit.shedlock;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** ShedLock's provider suite and lockkit's additions on PostgreSQL, advisory locks. */
class PostgresAdvisoryShedLockTest extends ShedLockSuite {
    private static Clients clients;

    @BeforeAll
    static void open() {
        clients = Clients.open(new io.lockkit.testkit.postgresql.PostgresTarget("advisory"));
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
