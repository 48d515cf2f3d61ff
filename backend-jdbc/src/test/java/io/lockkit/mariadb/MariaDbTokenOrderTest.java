package io.lockkit.mariadb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Lease;
import io.lockkit.LockKitException;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.testkit.mariadb.MariaDbTestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * L2 on MariaDB: an acquire draws its token under the key's row lock, so an acquire that waited on
 * that lock is ordered after every grant made meanwhile (a token drawn before the wait would be
 * smaller than theirs). Backend-specific: the kit cannot make an acquire wait on a row lock inside
 * the store. And the server check: a server this backend cannot keep the contract on is refused,
 * naming what was found.
 */
class MariaDbTokenOrderTest {
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
    void anAcquireThatWaitedOnTheRowLockDrawsItsTokenAfterTheGrantsMadeMeanwhile() throws Exception {
        MariaDbDataSource ds = new MariaDbDataSource(MariaDbTestServer.databaseUrl(database));
        try (MariaDbBackend client = MariaDbBackend.builder(ds).build()) {
            client.createSchema();
            String key = "order-waited";
            client.jobLock()
                    .tryAcquire(key, Duration.ofSeconds(30))
                    .orElseThrow()
                    .release(); // the row exists, free
            CompletableFuture<Optional<Lease>> waited;
            Lease meanwhile;
            try (Connection blocker = ds.getConnection()) {
                blocker.setAutoCommit(false);
                try (PreparedStatement lock = blocker.prepareStatement(
                        "SELECT token FROM " + MariaDbBackend.DEFAULT_LOCK_TABLE + " WHERE lock_key = ? FOR UPDATE")) {
                    lock.setBytes(1, KeyBytes.bytes(key));
                    lock.executeQuery().close();
                }
                waited = CompletableFuture.supplyAsync(() -> client.jobLock().tryAcquire(key, Duration.ofSeconds(30)));
                long blockerId;
                try (PreparedStatement id = blocker.prepareStatement("SELECT CONNECTION_ID()");
                        var rs = id.executeQuery()) {
                    rs.next();
                    blockerId = rs.getLong(1);
                }
                assertThat(waitsOnARowLock(ds, blockerId))
                        .as(
                                "the attempt reaches the row lock and waits there (the attempt: %s)",
                                waited.isDone()
                                        ? waited.handle((v, e) -> e == null ? "returned " + v : "threw " + e)
                                                .join()
                                        : "still running")
                        .isTrue();
                assertThat(waited).as("the attempt waits on the row lock").isNotDone();
                meanwhile = client.jobLock()
                        .tryAcquire("order-meanwhile", Duration.ofSeconds(30))
                        .orElseThrow();
                blocker.rollback();
            }
            Lease late = waited.get(30, TimeUnit.SECONDS).orElseThrow();
            assertThat(late.token())
                    .as("L2: granted after 'order-meanwhile' (token %d), so its token is larger", meanwhile.token())
                    .isGreaterThan(meanwhile.token());
            late.release();
            meanwhile.release();
        }
    }

    /**
     * Whether some statement waits on the lock that the session {@code blockerId} holds (see {@link
     * MariaDbTestServer#waitersOn}), polled for up to 30 s (a guard, not a timing).
     */
    private static boolean waitsOnARowLock(MariaDbDataSource ds, long blockerId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection c = ds.getConnection();
                PreparedStatement waits =
                        c.prepareStatement(MariaDbTestServer.waitersOn(MariaDbBackend.DEFAULT_LOCK_TABLE))) {
            waits.setLong(1, blockerId);
            waits.setLong(2, blockerId);
            while (System.nanoTime() - deadline < 0) {
                try (var rs = waits.executeQuery()) {
                    if (rs.next() && rs.getLong(1) > 0) {
                        return true;
                    }
                }
                Thread.sleep(5);
            }
        }
        return false;
    }

    @Test
    void aServerTheBackendCannotKeepTheContractOnIsRefusedByName() {
        MariaDbBackend.checkServer("10.11.19-MariaDB", "1");
        MariaDbBackend.checkServer("11.4.5-MariaDB-log", "1");
        assertThatThrownBy(() -> MariaDbBackend.checkServer("8.0.36", "1"))
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining("'8.0.36'")
                .hasMessageContaining("MySQL");
        assertThatThrownBy(() -> MariaDbBackend.checkServer("10.5.25-MariaDB", "1"))
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining("'10.5.25-MariaDB'");
        assertThatThrownBy(() -> MariaDbBackend.checkServer("10.11.19-MariaDB", "2"))
                .isInstanceOf(LockKitException.class)
                .hasMessageContaining("innodb_flush_log_at_trx_commit = 1")
                .hasMessageContaining("has 2");
    }
}
