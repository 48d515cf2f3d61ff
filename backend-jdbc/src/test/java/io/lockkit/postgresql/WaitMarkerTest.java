package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.lockkit.Lease;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.jdbc.internal.Prepared;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The wait markers of every variant (L7, {@link Sql#ADVISORY_RELEASE}, {@link Sql#TABLE_RELEASE},
 * {@link Sql#ROWLOCK_RELEASE}), in the interleavings an adversarial review found, each made
 * deterministic: a release notifies only when some client holds the key's marker, so a waiter must
 * never rely on a marker that is not held. Backend-specific: only these variants decide whether to
 * notify, and the kit's L7 tests cannot tell a lost notification from the half-second poll behind it;
 * they check the prompt wake-up on every backend.
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

    /**
     * The lock table's release ({@link Sql#TABLE_RELEASE}) notifies exactly while some session
     * holds the key's marker shared: not at all when nobody waits (what the markers save), and
     * always when a waiter does (or that waiter sleeps to its fallback).
     */
    @Test
    void aTableReleaseNotifiesOnlyWhileTheKeysMarkerIsHeld() throws Exception {
        PostgresBackend client = fixture.client(Variant.TABLE);
        String key = "table-notify-" + UUID.randomUUID();
        String payload = KeyBytes.payload(KeyBytes.bytes(key));
        try (Connection listener =
                        PostgresTestServer.dataSource("lockkit-marker-listener").getConnection();
                Connection waiter =
                        PostgresTestServer.dataSource("lockkit-marker-waiter").getConnection()) {
            notifiesOnlyWhileMarked(client, key, listener, waiter);

            // A release statement that frees nothing (a token that is not the holder's), sent as the
            // backend sends it (a lease's second release() sends nothing at all), while the marker is held.
            Lease lease = client.jobLock().tryAcquire(key, GUARD).orElseThrow();
            assertThat(client.jobLock()).isInstanceOfSatisfying(TableJobLock.class, table -> assertThat(
                            table.release(KeyBytes.bytes(key), lease.token() + 1))
                    .as("a release with another token frees nothing")
                    .isFalse());
            assertThat(notified(listener, payload, Duration.ofMillis(500)))
                    .as("a release that frees nothing does not notify, even while a waiter holds the marker")
                    .isFalse();
            assertThat(lease.release()).isTrue();
            assertThat(notified(listener, payload, GUARD)).isTrue();
        }
    }

    /**
     * The row lock's release ({@link Sql#ROWLOCK_RELEASE}, the marker's check sent with the commit)
     * notifies exactly while some session holds the key's marker shared.
     */
    @Test
    void aRowLockReleaseNotifiesOnlyWhileTheKeysMarkerIsHeld() throws Exception {
        PostgresBackend client = fixture.client(Variant.ROWLOCK);
        try (Connection listener =
                        PostgresTestServer.dataSource("lockkit-marker-listener").getConnection();
                Connection waiter =
                        PostgresTestServer.dataSource("lockkit-marker-waiter").getConnection()) {
            notifiesOnlyWhileMarked(client, "rowlock-notify-" + UUID.randomUUID(), listener, waiter);
        }
    }

    /**
     * The row lock's release holds the key's marker until its COMMIT, not only for its check: a
     * waiter's listener cannot take the marker between the check (which found it free, so did not
     * notify) and the commit that frees the row, and once it can, the row is free. The check runs
     * here in the lease's transaction held open, as the first statement of {@link
     * Sql#ROWLOCK_RELEASE}; a check that let go of the marker at once passes every other test.
     */
    @Test
    void aRowLockReleaseHoldsTheMarkerUntilItsCommit() throws Exception {
        String key = "rowlock-commit-" + UUID.randomUUID();
        byte[] stored = KeyBytes.bytes(key);
        int marker = KeyCodec.waitMarker(KeyCodec.markerId(stored));
        String check = Sql.render(Sql.ROWLOCK_RELEASE, fixture.tables).split(";")[0];
        try (Handle holder = Jdbi.create(PostgresTestServer.dataSource("lockkit-marker-holder"))
                        .open();
                Handle other = Jdbi.create(PostgresTestServer.dataSource("lockkit-marker-other"))
                        .open();
                Connection listener =
                        PostgresTestServer.dataSource("lockkit-marker-listener").getConnection()) {
            Prepared.of(Sql.render(Sql.ROWLOCK_CREATE, fixture.tables))
                    .on(holder)
                    .set("key", stored)
                    .update();
            holder.begin();
            long token = Prepared.of(Sql.render(Sql.ROWLOCK_ACQUIRE, fixture.tables))
                    .on(holder)
                    .set("key", stored)
                    .set("timeout_ms", "60000")
                    .one(rs -> rs.getLong("token"));
            assertThat(token).isPositive();
            long notified = Prepared.of(check)
                    .on(holder)
                    .set("marker_class", KeyCodec.WAIT_MARKER_CLASS)
                    .set("marker", marker)
                    .set("channel", "lockkit_rowlock_test")
                    .set("payload", KeyBytes.payload(stored))
                    .one(rs -> rs.getLong("notified"));
            assertThat(notified).as("nobody held the marker: no notification").isZero();
            assertThat(markShared(listener, marker))
                    .as("a waiter's listener cannot take the marker before the release commits")
                    .isFalse();
            holder.commit();
            assertThat(markShared(listener, marker))
                    .as("after the commit it can")
                    .isTrue();
            other.begin();
            assertThat(Prepared.of(Sql.render(Sql.ROWLOCK_ACQUIRE, fixture.tables))
                            .on(other)
                            .set("key", stored)
                            .set("timeout_ms", "60000")
                            .optional(rs -> rs.getLong("token")))
                    .as("and the row is free by then")
                    .isPresent();
            other.rollback();
        }
    }

    private static boolean markShared(Connection c, int marker) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                Sql.MARK_WAITING.replace(":marker_class", "?").replace(":marker", "?"))) {
            ps.setInt(1, KeyCodec.WAIT_MARKER_CLASS);
            ps.setInt(2, marker);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * A release of {@code key} by {@code client} notifies {@code listener} not at all while nobody
     * holds the key's marker, and does once {@code waiter} holds it shared (which it then keeps).
     */
    private static void notifiesOnlyWhileMarked(
            PostgresBackend client, String key, Connection listener, Connection waiter) throws SQLException {
        String payload = KeyBytes.payload(KeyBytes.bytes(key));
        int marker = KeyCodec.waitMarker(KeyCodec.markerId(KeyBytes.bytes(key)));
        listener.createStatement().execute("LISTEN " + client.channel());
        client.jobLock().tryAcquire(key, GUARD).orElseThrow().release();
        assertThat(notified(listener, payload, Duration.ofMillis(500)))
                .as("a release nobody waits for does not notify")
                .isFalse();

        try (PreparedStatement ps = waiter.prepareStatement("SELECT pg_advisory_lock_shared(?, ?)")) {
            ps.setInt(1, KeyCodec.WAIT_MARKER_CLASS);
            ps.setInt(2, marker);
            ps.executeQuery().close();
        }
        client.jobLock().tryAcquire(key, GUARD).orElseThrow().release();
        assertThat(notified(listener, payload, GUARD))
                .as("a release while a waiter holds the key's marker notifies")
                .isTrue();
    }

    /**
     * The lock table's release holds the key's marker until its transaction ends, not only for its
     * statement: a waiter that asks for the marker while the release's update is not yet visible
     * cannot take it, so it never relies on a marker the release already checked (it would try,
     * still see the key held, and sleep through the commit, which does not notify). The release's
     * statement runs here in a transaction held open, as a slow commit would leave it; the waiter's
     * client has no poll to fall back on.
     */
    @Test
    void aTableReleaseHoldsTheMarkerUntilItsTransactionEnds() throws Exception {
        try (PostgresBackend holder = fixture.builder(Variant.TABLE, "lockkit-marker-holder")
                        .waitFallback(Duration.ofMinutes(10))
                        .build();
                PostgresBackend waiting = fixture.builder(Variant.TABLE, "lockkit-marker-waiting")
                        .waitFallback(Duration.ofMinutes(10))
                        .build();
                Handle releaser = Jdbi.create(PostgresTestServer.dataSource("lockkit-marker-releaser"))
                        .open()) {
            String key = "table-commit-" + UUID.randomUUID();
            byte[] stored = KeyBytes.bytes(key);
            int marker = KeyCodec.waitMarker(KeyCodec.markerId(stored));
            Lease held =
                    holder.jobLock().tryAcquire(key, Duration.ofMinutes(10)).orElseThrow();
            waiting.watcher().startListening(GUARD.toNanos());

            releaser.begin();
            long released = Prepared.of(Sql.render(Sql.TABLE_RELEASE, fixture.tables))
                    .on(releaser)
                    .set("key", stored)
                    .set("token", held.token())
                    .set("marker_class", KeyCodec.WAIT_MARKER_CLASS)
                    .set("marker", marker)
                    .set("channel", waiting.channel())
                    .set("payload", KeyBytes.payload(stored))
                    .one(rs -> rs.getLong("released"));
            assertThat(released).isEqualTo(1);
            CompletableFuture<Optional<Lease>> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return waiting.jobLock().acquire(key, Duration.ofMinutes(1), Duration.ofMinutes(10));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Long enough for the waiter's first try, its request for the marker and its last try.
            Thread.sleep(500);
            assertThat(waiting.watcher().holds(marker))
                    .as("the listener cannot take the marker while the release's transaction is open")
                    .isFalse();
            assertThat(got).as("the release is not visible yet").isNotDone();
            releaser.commit();

            Lease lease = got.get(GUARD.toSeconds(), TimeUnit.SECONDS)
                    .orElseThrow(() -> new AssertionError("the waiter got no lease"));
            assertThat(lease.token()).isGreaterThan(held.token());
            assertThat(lease.release()).isTrue();
        }
    }

    /**
     * L7 on each variant with the poll taken away (a fallback longer than the test): every
     * waiter is woken by its release's notification, round after round, so a waiter that did not
     * mark its key, or a release that tests another marker, fails here (the kit's L7 test cannot
     * tell a lost notification from the default half-second poll).
     */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void aWaiterIsWokenByTheReleaseNotByItsFallback(Variant variant) throws Exception {
        try (PostgresBackend holder = fixture.builder(variant, "lockkit-marker-holder")
                        .waitFallback(Duration.ofMinutes(10))
                        .build();
                PostgresBackend waiting = fixture.builder(variant, "lockkit-marker-waiting")
                        .waitFallback(Duration.ofMinutes(10))
                        .build()) {
            for (int round = 0; round < 20; round++) {
                String key = "wake-" + round + "-" + UUID.randomUUID();
                Lease held =
                        holder.jobLock().tryAcquire(key, Duration.ofMinutes(10)).orElseThrow();
                CompletableFuture<Optional<Lease>> got = CompletableFuture.supplyAsync(() -> {
                    try {
                        return waiting.jobLock().acquire(key, Duration.ofMinutes(1), Duration.ofMinutes(10));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                // Release at a different point of the waiter's way to its wait in each round.
                Thread.sleep(round % 5 * 3L);
                assertThat(held.release()).isTrue();
                Lease lease = got.get(GUARD.toSeconds(), TimeUnit.SECONDS)
                        .orElseThrow(() -> new AssertionError("the waiter got no lease"));
                assertThat(lease.token()).isGreaterThan(held.token());
                assertThat(lease.release()).isTrue();
            }
        }
    }

    /** Whether a notification with {@code payload} reaches {@code listener} within {@code within}. */
    private static boolean notified(Connection listener, String payload, Duration within) throws SQLException {
        PGConnection pg = listener.unwrap(PGConnection.class);
        long until = System.nanoTime() + within.toNanos();
        long left;
        while ((left = until - System.nanoTime()) > 0) {
            PGNotification[] got = pg.getNotifications((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            if (got != null) {
                for (PGNotification n : got) {
                    if (n.getParameter().equals(payload)) {
                        return true;
                    }
                }
            }
        }
        return false;
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
