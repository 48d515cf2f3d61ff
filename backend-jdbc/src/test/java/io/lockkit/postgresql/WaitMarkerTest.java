package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The advisory variant's wait markers (L7, {@link Sql#ADVISORY_RELEASE}), in the interleavings an
 * adversarial review found, each made deterministic: a release notifies only when some client holds
 * the key's marker, so a waiter must never rely on a marker that is not held. Backend-specific: only
 * this variant decides whether to notify; the kit's L7 tests check the prompt wake-up on every
 * backend.
 */
class WaitMarkerTest {
    private static final Duration GUARD = Duration.ofSeconds(30);
    private static Fixture fixture;

    @BeforeAll
    static void schema() {
        fixture = new Fixture();
    }

    @AfterAll
    static void drop() {
        fixture.close();
    }

    /**
     * The listener decided to let a marker go (its last waiter left) and, before it does, a new
     * waiter of the same key asks for it and finds it held: the marker must stay held, or that
     * waiter's key is released without a notification and it sleeps to its fallback.
     */
    @Test
    void aMarkerWantedAgainWhileTheListenerLetsItGoStaysHeld() throws Exception {
        PostgresBackend client = fixture.client(Variant.ADVISORY);
        Watcher watcher = client.watcher();
        watcher.startListening(GUARD.toNanos());
        int marker = marker(client, "again-" + UUID.randomUUID());
        assertThat(watcher.mark(marker, "first", GUARD.toNanos())).isTrue();
        assertThat(heldOnServer(marker)).isTrue();

        CountDownLatch deciding = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        watcher.beforeUnmark = () -> {
            deciding.countDown();
            await(proceed);
        };
        try {
            watcher.unmark(marker, "first"); // the listener's next pass decides to drop it, and pauses
            assertThat(deciding.await(GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(watcher.mark(marker, "second", GUARD.toNanos()))
                    .as("the second waiter finds the marker held")
                    .isTrue();
        } finally {
            watcher.beforeUnmark = () -> {};
            proceed.countDown();
        }
        // Had the listener let it go, even for a moment before taking it again, an exclusive lock on
        // the marker (what a release tries) would be granted then: it must wait for the whole second
        try (Connection blocker =
                PostgresTestServer.dataSource("lockkit-marker-blocker").getConnection()) {
            blocker.createStatement().execute("SET lock_timeout = '1s'");
            assertThatThrownBy(() -> exclusive(blocker, marker, true))
                    .as("a release's exclusive try finds the marker held throughout")
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("lock timeout");
        }
        assertThat(watcher.holds(marker)).isTrue();
        assertThat(heldOnServer(marker)).isTrue();
        watcher.unmark(marker, "second");
    }

    /**
     * A waiter stops waiting for its marker before the listener could take it (a release held it
     * exclusively meanwhile); its next try may precede the take, so the take must wake it to try
     * again, or a release between its try and the take goes unnoticed.
     */
    @Test
    void aMarkerTakenAfterItsWaiterStoppedWaitingWakesThatWaiter() throws Exception {
        PostgresBackend client = fixture.client(Variant.ADVISORY);
        Watcher watcher = client.watcher();
        watcher.startListening(GUARD.toNanos());
        int marker = marker(client, "late-" + UUID.randomUUID());
        String payload = "late-payload-" + UUID.randomUUID();
        client.waiters().register(payload);
        try (Connection blocker =
                PostgresTestServer.dataSource("lockkit-marker-blocker").getConnection()) {
            exclusive(blocker, marker, true); // as a release holds it during its statement
            assertThat(watcher.mark(marker, payload, Duration.ofMillis(200).toNanos()))
                    .as("not held while another session holds the marker exclusively")
                    .isFalse();
            CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.waiters().await(payload, GUARD.toNanos());
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            exclusive(blocker, marker, false);
            assertThat(woken.get(GUARD.toSeconds(), TimeUnit.SECONDS))
                    .as("the listener took the marker late and woke the waiter to try again")
                    .isTrue();
            assertThat(heldOnServer(marker)).isTrue();
        } finally {
            watcher.unmark(marker, payload);
            client.waiters().unregister(payload);
        }
    }

    /**
     * A client on the application's pool: its listening connection goes back to that pool when the
     * client closes, and must hold no marker then (or every release of that key would notify, and the
     * lock would stay with the pool's connection for good).
     */
    @Test
    void theListenersConnectionGoesBackToAPoolWithoutMarkers() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PostgresTestServer.jdbcUrl("lockkit-marker-pool"));
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(4);
        try (HikariDataSource application = new HikariDataSource(config)) {
            int marker;
            try (PostgresBackend client = PostgresBackend.builder(application)
                    .variant(Variant.ADVISORY)
                    .tables(fixture.tables)
                    .namespace(fixture.schema)
                    .maxConnections(4)
                    .build()) {
                client.watcher().startListening(GUARD.toNanos());
                marker = marker(client, "pooled-" + UUID.randomUUID());
                assertThat(client.watcher().mark(marker, "p", GUARD.toNanos())).isTrue();
                assertThat(heldOnServer(marker)).isTrue();
            }
            assertThat(heldOnServer(marker))
                    .as("no connection of the application's pool holds the marker after the client closed")
                    .isFalse();
        }
    }

    private static int marker(PostgresBackend client, String key) {
        return KeyCodec.waitMarker(KeyCodec.advisoryId(client.namespace(), key));
    }

    private static boolean heldOnServer(int marker) throws SQLException {
        try (Connection c =
                        PostgresTestServer.dataSource("lockkit-marker-probe").getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND classid = ? AND objid = ? AND objsubid = 2 AND mode = 'ShareLock' AND granted")) {
            ps.setLong(1, KeyCodec.WAIT_MARKER_CLASS);
            ps.setLong(2, Integer.toUnsignedLong(marker));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private static void exclusive(Connection c, int marker, boolean take) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(take ? "SELECT pg_advisory_lock(?, ?)" : "SELECT pg_advisory_unlock(?, ?)")) {
            ps.setInt(1, KeyCodec.WAIT_MARKER_CLASS);
            ps.setInt(2, marker);
            ps.executeQuery().close();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(GUARD.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
