package io.lockkit.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.BackendUnavailableException;
import io.lockkit.Lease;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.testkit.mariadb.MariaDbTestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * L3, E2 on MariaDB: a release or extend that InnoDB keeps rolling back (here: lock-wait timeouts,
 * 1205, behind a transaction that holds the key's row) is no answer about ownership, so it is
 * {@link BackendUnavailableException}, never "false" (which would tell the holder it lost its lease),
 * and the lease can still be released once the row is free. Backend-specific: the kit cannot hold a
 * row lock inside the store.
 */
class MariaDbLockWaitTest {
    private static String database;

    @BeforeAll
    static void createDatabase() {
        database = MariaDbTestServer.newDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        MariaDbTestServer.dropDatabase(database);
    }

    @Test
    void aReleaseOrExtendKeptWaitingOnTheRowIsUnavailableNotFalse() throws Exception {
        String url = MariaDbTestServer.databaseUrl(database);
        // every session of this client gives up a lock wait after 1 s (the server's default is 50 s)
        MariaDbDataSource ds = new MariaDbDataSource(
                url + (url.contains("?") ? "&" : "?") + "sessionVariables=innodb_lock_wait_timeout=1");
        try (MariaDbBackend client = MariaDbBackend.builder(ds).build()) {
            client.createSchema();
            String key = "held-row";
            Lease lease =
                    client.jobLock().tryAcquire(key, Duration.ofMinutes(5)).orElseThrow();
            try (Connection blocker = new MariaDbDataSource(url).getConnection()) {
                blocker.setAutoCommit(false);
                try (PreparedStatement lock = blocker.prepareStatement(
                        "SELECT token FROM " + MariaDbBackend.DEFAULT_LOCK_TABLE + " WHERE lock_key = ? FOR UPDATE")) {
                    lock.setBytes(1, KeyBytes.bytes(key));
                    lock.executeQuery().close();
                }
                assertThatThrownBy(() -> lease.extend(Duration.ofMinutes(5)))
                        .isInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining("1205");
                assertThatThrownBy(lease::release)
                        .isInstanceOf(BackendUnavailableException.class)
                        .hasMessageContaining("nothing was changed");
                blocker.rollback();
            }
            assertThat(lease.release())
                    .as("the release, sent again once the row is free")
                    .isTrue();
            assertThat(client.jobLock().tryAcquire(key, Duration.ofSeconds(30)))
                    .as("the key is free")
                    .isPresent();
        }
    }
}
