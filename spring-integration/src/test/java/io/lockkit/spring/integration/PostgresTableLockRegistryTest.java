package io.lockkit.spring.integration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Spring Integration's lock registry tests and lockkit's additions on PostgreSQL, lock table. */
class PostgresTableLockRegistryTest extends LockRegistrySuite {
    private static Clients clients;

    @BeforeAll
    static void open() {
        clients = Clients.open(new io.lockkit.testkit.postgresql.PostgresTarget("table"));
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
