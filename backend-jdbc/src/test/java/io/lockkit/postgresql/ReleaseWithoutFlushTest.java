package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.jdbc.internal.KeyBytes;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A release commits without waiting for the WAL flush; acquire, extend and versioned writes wait
 * for it. Read at the moment each transaction commits: a deferred constraint trigger runs inside the
 * commit, just before the server writes the commit record and decides, from {@code
 * synchronous_commit}, whether to wait for the flush; it records that setting and the WAL insert
 * position. The lock tables and the versioned table carry such a trigger; the statements that write
 * no row are seen through {@code pg_notify}, {@code nextval} and {@code pg_logical_emit_message},
 * which the clients' {@code search_path} resolves to wrappers in the test's schema that note the call
 * in a table with the trigger. Probe tables are unlogged, so the probe adds no WAL: it does not
 * change whether a transaction waits (a commit waits only if its transaction wrote WAL: the
 * "waited" checks below also read the flush position afterwards). The clients' sessions have {@code synchronous_commit = on}, whatever the
 * server's default.
 */
class ReleaseWithoutFlushTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static Fixture fixture;

    /** One transaction's commit as the probe saw it. */
    record Commit(String what, String synchronousCommit, boolean flushedAfterwards) {}

    @BeforeAll
    static void probe() {
        fixture = new Fixture();
        String s = fixture.schema;
        PostgresTestServer.execute(
                """
                CREATE UNLOGGED TABLE %1$s.probe_commit (
                    id bigserial PRIMARY KEY, what text NOT NULL, sync text NOT NULL, insert_lsn pg_lsn NOT NULL);
                CREATE UNLOGGED TABLE %1$s.probe_call (what text NOT NULL);
                CREATE FUNCTION %1$s.probe_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO %1$s.probe_commit (what, sync, insert_lsn) VALUES (
                        coalesce(to_jsonb(NEW) ->> 'what', TG_TABLE_NAME),
                        current_setting('synchronous_commit'), pg_current_wal_insert_lsn());
                    RETURN NULL;
                END $$;
                CREATE CONSTRAINT TRIGGER probe AFTER INSERT ON %1$s.probe_call
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION %1$s.probe_at_commit();
                CREATE CONSTRAINT TRIGGER probe AFTER INSERT OR UPDATE ON %1$s.lockkit_lock
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION %1$s.probe_at_commit();
                CREATE CONSTRAINT TRIGGER probe AFTER INSERT OR UPDATE ON %1$s.lockkit_row_lock
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION %1$s.probe_at_commit();
                CREATE CONSTRAINT TRIGGER probe AFTER INSERT OR UPDATE ON %1$s.lockkit_versioned
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION %1$s.probe_at_commit();
                CREATE FUNCTION %1$s.pg_notify(channel text, payload text) RETURNS void LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO %1$s.probe_call VALUES ('pg_notify');
                    PERFORM pg_catalog.pg_notify(channel, payload);
                END $$;
                CREATE FUNCTION %1$s.pg_logical_emit_message(transactional boolean, prefix text, content text)
                    RETURNS pg_lsn LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO %1$s.probe_call VALUES ('pg_logical_emit_message');
                    RETURN pg_catalog.pg_logical_emit_message(transactional, prefix, content);
                END $$;
                CREATE FUNCTION %1$s.nextval(sequence regclass) RETURNS bigint LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO %1$s.probe_call VALUES ('nextval');
                    RETURN pg_catalog.nextval(sequence);
                END $$;
                """
                        .formatted(s));
    }

    @AfterAll
    static void drop() {
        fixture.close();
    }

    @Test
    void tableVariant() {
        try (PostgresBackend client = probedClient(Variant.TABLE)) {
            String key = "k-" + UUID.randomUUID();
            List<Commit> acquire = new ArrayList<>();
            Lease lease = observe(acquire, () -> client.jobLock().tryAcquire(key, LEASE))
                    .orElseThrow();
            List<Commit> extend = new ArrayList<>();
            assertThat(observe(extend, () -> lease.extend(LEASE))).isTrue();
            List<Commit> release = new ArrayList<>();
            assertThat(observe(release, lease::release)).isTrue();

            // acquire and extend write the row and wait for the flush, the token with the grant
            assertThat(acquire).extracting(Commit::what).containsExactlyInAnyOrder("lockkit_lock", "nextval");
            assertThat(acquire).allSatisfy(ReleaseWithoutFlushTest::waitedForTheFlush);
            assertThat(extend).extracting(Commit::what).containsExactly("lockkit_lock");
            assertThat(extend).allSatisfy(ReleaseWithoutFlushTest::waitedForTheFlush);
            // nobody waits, so the release writes the row without notifying, and does not wait
            // (tableVariantNotifiesWhenSomebodyWaits: with a waiter it notifies)
            assertThat(release).extracting(Commit::what).containsExactly("lockkit_lock");
            assertThat(release).allSatisfy(ReleaseWithoutFlushTest::didNotWait);

            // a release statement that finds nothing to free (another token: a lease's second
            // release() sends nothing at all) commits nothing
            List<Commit> again = new ArrayList<>();
            TableJobLock table = (TableJobLock) client.jobLock();
            assertThat(observe(again, () -> table.release(KeyBytes.bytes(key), lease.token() + 1)))
                    .isFalse();
            assertThat(again).isEmpty();
        }
    }

    @Test
    void advisoryVariant() {
        try (PostgresBackend client = probedClient(Variant.ADVISORY)) {
            String key = "k-" + UUID.randomUUID();
            List<Commit> acquire = new ArrayList<>();
            Lease lease = observe(acquire, () -> client.jobLock().tryAcquire(key, LEASE))
                    .orElseThrow();
            List<Commit> extend = new ArrayList<>();
            assertThat(observe(extend, () -> lease.extend(LEASE))).isTrue();
            List<Commit> release = new ArrayList<>();
            assertThat(observe(release, lease::release)).isTrue();

            // the acquire's transaction draws the token and writes a WAL record of its own, so its
            // commit waits for the flush, which carries the sequence's record (L2 across a crash)
            assertThat(acquire)
                    .extracting(Commit::what)
                    .containsExactlyInAnyOrder("nextval", "pg_logical_emit_message");
            assertThat(acquire).allSatisfy(ReleaseWithoutFlushTest::waitedForTheFlush);
            assertThat(extend).isEmpty();
            // nobody waits, so the release does not notify: no transaction id, no commit record
            assertThat(release).isEmpty();
        }
    }

    @Test
    void advisoryVariantNotifiesWhenSomebodyWaits() throws Exception {
        notifiesWhenSomebodyWaits(Variant.ADVISORY);
    }

    @Test
    void tableVariantNotifiesWhenSomebodyWaits() throws Exception {
        notifiesWhenSomebodyWaits(Variant.TABLE);
    }

    @Test
    void rowLockVariantNotifiesWhenSomebodyWaits() throws Exception {
        notifiesWhenSomebodyWaits(Variant.ROWLOCK);
    }

    private void notifiesWhenSomebodyWaits(Variant variant) throws Exception {
        try (PostgresBackend holder = probedClient(variant);
                PostgresBackend waiter = probedClient(variant)) {
            String key = "k-" + UUID.randomUUID();
            Lease lease = holder.jobLock().tryAcquire(key, LEASE).orElseThrow();
            CompletableFuture<Optional<Lease>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return waiter.jobLock().acquire(key, LEASE, Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (markersHeld() == 0 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(markersHeld())
                    .as("the waiter's client holds the key's wait marker")
                    .isEqualTo(1);
            List<Commit> release = new ArrayList<>();
            assertThat(observe(release, lease::release)).isTrue();
            // the marker is held, so the release notifies, and its commit does not wait for the flush
            // (the woken waiter's acquire may already show among the commits: it waits, as every acquire)
            assertThat(release)
                    .filteredOn(c -> c.what().equals("pg_notify"))
                    .singleElement()
                    .satisfies(ReleaseWithoutFlushTest::didNotWait);
            Lease got = waiting.get(30, TimeUnit.SECONDS).orElseThrow();
            assertThat(got.token()).isGreaterThan(lease.token());
            got.release();
        }
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (markersHeld() > 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(markersHeld()).as("the marker is let go once nobody waits").isZero();
    }

    /** The wait markers held (shared) on the server right now. */
    private static long markersHeld() {
        String sql = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = "
                + KeyCodec.WAIT_MARKER_CLASS + " AND objsubid = 2 AND mode = 'ShareLock' AND granted";
        try (Connection c = PostgresTestServer.dataSource("lockkit-test-probe").getConnection();
                Statement st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void rowLockVariant() {
        try (PostgresBackend client = probedClient(Variant.ROWLOCK)) {
            String key = "k-" + UUID.randomUUID();
            List<Commit> acquire = new ArrayList<>();
            Lease lease = observe(acquire, () -> client.jobLock().tryAcquire(key, LEASE))
                    .orElseThrow();
            List<Commit> extend = new ArrayList<>();
            assertThat(observe(extend, () -> lease.extend(LEASE))).isTrue();
            List<Commit> release = new ArrayList<>();
            assertThat(observe(release, lease::release)).isTrue();

            // the key's first use commits its row, and waits; the lock's transaction, which drew the
            // token under the row lock, stays open, and a commit on another session that writes a
            // log record waits for the flush, which carries the token's sequence record (L2)
            assertThat(acquire).extracting(Commit::what).containsExactly("lockkit_row_lock", "pg_logical_emit_message");
            assertThat(acquire).allSatisfy(ReleaseWithoutFlushTest::waitedForTheFlush);
            assertThat(extend).isEmpty();
            // the release commits the lock's transaction (its token), and does not wait: the token's
            // record was flushed at acquire, and a lost release only delays the next holder; nobody
            // waits, so it does not notify (rowLockVariantNotifiesWhenSomebodyWaits: with a waiter it does)
            assertThat(release).extracting(Commit::what).containsExactly("nextval");
            assertThat(release).allSatisfy(ReleaseWithoutFlushTest::didNotWait);

            // a session goes back to the pool with the server's setting: the next commit on it waits
            List<Commit> create = new ArrayList<>();
            observe(create, () -> client.jobLock().tryAcquire("new-" + key, LEASE))
                    .orElseThrow()
                    .release();
            assertThat(create)
                    .filteredOn(c -> c.what().equals("lockkit_row_lock"))
                    .singleElement()
                    .satisfies(ReleaseWithoutFlushTest::waitedForTheFlush);
        }
    }

    @Test
    void versionedWritesWaitForTheFlushAfterAReleaseOnTheSameConnection() {
        for (Variant variant : Variant.values()) {
            try (PostgresBackend client = probedClient(variant)) {
                String key = "k-" + UUID.randomUUID();
                Lease lease = client.jobLock().tryAcquire(key, LEASE).orElseThrow();
                lease.release(); // its setting ends with its transaction, though the connection is reused
                List<Commit> writes = new ArrayList<>();
                Versioned v1 = observe(writes, () -> client.versionedUpdate().create(key, bytes("1"), lease.token()))
                        .orElseThrow();
                observe(writes, () -> client.versionedUpdate()
                                .compareAndSet(key, v1.version(), bytes("2"), lease.token()))
                        .orElseThrow();
                assertThat(writes).extracting(Commit::what).containsOnly("lockkit_versioned");
                assertThat(writes).hasSize(2).allSatisfy(ReleaseWithoutFlushTest::waitedForTheFlush);
            }
        }
    }

    /** The commit kept {@code synchronous_commit = on}, and the WAL was flushed past it when the call returned. */
    private static void waitedForTheFlush(Commit commit) {
        assertThat(commit.synchronousCommit()).as(commit.what()).isEqualTo("on");
        assertThat(commit.flushedAfterwards()).as(commit.what()).isTrue();
    }

    /**
     * The commit ran with {@code synchronous_commit = off}: the server writes the commit record and
     * returns without waiting for its flush.
     */
    private static void didNotWait(Commit commit) {
        assertThat(commit.synchronousCommit()).as(commit.what()).isEqualTo("off");
    }

    /**
     * Runs {@code op} and adds the commits it made to {@code commits}, each with whether the WAL had
     * been flushed past the point the probe saw, read right after {@code op} returned. The commit
     * record lies past that point, so a commit that waited for its flush always reads true.
     */
    private static <T> T observe(List<Commit> commits, Supplier<T> op) {
        long before = lastProbeId();
        T result = op.get();
        String sql = "SELECT what, sync, pg_current_wal_flush_lsn() > insert_lsn AS flushed FROM " + fixture.schema
                + ".probe_commit WHERE id > " + before + " ORDER BY id";
        try (Connection c = PostgresTestServer.dataSource("lockkit-test-probe").getConnection();
                Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            while (rs.next()) {
                commits.add(new Commit(rs.getString("what"), rs.getString("sync"), rs.getBoolean("flushed")));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return result;
    }

    private static long lastProbeId() {
        try (Connection c = PostgresTestServer.dataSource("lockkit-test-probe").getConnection();
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM " + fixture.schema + ".probe_commit")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A client whose sessions find the probe's {@code pg_notify} and {@code nextval} first and commit
     * with {@code synchronous_commit = on} unless a statement says otherwise.
     */
    private static PostgresBackend probedClient(Variant variant) {
        PGSimpleDataSource ds = PostgresTestServer.dataSource(fixture.schema + "-probed");
        ds.setOptions("-c search_path=" + fixture.schema + ",pg_catalog -c synchronous_commit=on");
        return PostgresBackend.builder(ds)
                .variant(variant)
                .tables(fixture.tables)
                .namespace(fixture.schema)
                .maxConnections(Fixture.CONNECTIONS)
                .build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
