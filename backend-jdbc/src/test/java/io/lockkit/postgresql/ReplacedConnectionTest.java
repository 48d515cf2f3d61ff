package io.lockkit.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Lease;
import io.lockkit.postgresql.PostgresBackend.Variant;
import io.lockkit.testkit.postgresql.PostgresTestServer;
import io.lockkit.testkit.postgresql.WireSocketFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * L7, L8 when an acquire's connection breaks and was idle in the pool, so the client replaces it
 * (INCIDENTS.md row 41): the replacement must not queue behind other callers for the client's
 * budget, deaf to interrupts and for {@code connectionWait} (20 s here) whatever the acquire's
 * {@code maxWait}. Each test breaks the acquire's pooled connection on the wire and, in that moment,
 * lines up another caller for the connection it frees; a backend test, since the kit cannot break a
 * client's connection or fill its budget from outside.
 */
class ReplacedConnectionTest {

    private static Fixture fixture;
    private final ExecutorService threads = Executors.newFixedThreadPool(3);
    private String wireName;
    private WireSocketFactory.Wire wire;

    @BeforeAll
    static void schema() {
        fixture = new Fixture();
    }

    @AfterAll
    static void drop() {
        fixture.close();
    }

    @BeforeEach
    void wire() {
        wireName = "replaced-" + UUID.randomUUID();
        wire = WireSocketFactory.wire(wireName);
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** A client with the listener's connection and two pooled ones: one lease session at most. */
    private PostgresBackend client(Variant variant) {
        return fixture.wiredBuilder(variant, wireName)
                .maxConnections(3)
                .connectionWait(Duration.ofSeconds(20))
                .networkTimeout(Duration.ofSeconds(60))
                .build();
    }

    /**
     * Table variant: one pooled connection waits for a row an outside transaction holds, the other
     * is idle and breaks under the acquire's statement, while a second write to a held row queues
     * for it. The acquire's statement is sent again on a new connection that takes over the broken
     * one's place at once, and the acquire is granted.
     */
    @Test
    void aTableAcquireWhoseIdleConnectionBrokeIsGrantedOnItsReplacementWithoutQueueing() throws Exception {
        String prefix = "replaced-" + System.nanoTime() + "-";
        try (PostgresBackend client = client(Variant.TABLE);
                Connection outside =
                        PostgresTestServer.dataSource("lockkit-test-replaced").getConnection()) {
            for (String row : new String[] {prefix + "busy", prefix + "queued"}) {
                client.versionedUpdate().create(row, new byte[] {1}).orElseThrow();
            }
            outside.setAutoCommit(false);
            holdRow(outside, prefix + "busy");
            holdRow(outside, prefix + "queued");
            Future<?> busy =
                    threads.submit(() -> client.versionedUpdate().compareAndSet(prefix + "busy", 1, new byte[] {2}));
            awaitBlocked(outside, 1);
            client.jobLock()
                    .tryAcquire(prefix + "idle", Duration.ofSeconds(30))
                    .orElseThrow()
                    .release(); // an idle connection
            AtomicReference<Future<?>> queued = new AtomicReference<>();
            wire.cutReplies(
                    Fixture.TABLE_ACQUIRE_MARKER,
                    1,
                    () -> queued.set(lineUp(
                            () -> client.versionedUpdate().compareAndSet(prefix + "queued", 1, new byte[] {2}))));
            Lease lease;
            try {
                Future<Optional<Lease>> acquire = threads.submit(
                        () -> client.jobLock().acquire(prefix + "key", Duration.ofSeconds(30), Duration.ofSeconds(30)));
                lease = acquire.get(10, TimeUnit.SECONDS)
                        .orElseThrow(() -> new AssertionError("the acquire of a free key ended empty"));
                assertThat(queued.get())
                        .as("the caller lined up while the connection broke")
                        .isNotNull();
                assertThat(lease.isValid()).isTrue();
            } finally {
                outside.rollback(); // the writes waiting for the rows go on and free the client's connections
            }
            busy.get(30, TimeUnit.SECONDS);
            queued.get().get(30, TimeUnit.SECONDS);
            assertThat(lease.release()).as("the granted lease, released").isTrue();
        }
    }

    /**
     * Advisory variant: the idle lease session breaks under the acquire, while another acquire
     * queues for the client's one lease session, gets it and holds it. The first acquire waits for a
     * lease session again within its own {@code maxWait} (500 ms), and ends empty by then.
     */
    @Test
    void aSessionAcquireWhoseIdleSessionBrokeWaitsForAnotherWithinItsMaxWait() throws Exception {
        String prefix = "replaced-" + System.nanoTime() + "-";
        try (PostgresBackend client = client(Variant.ADVISORY)) {
            AtomicReference<Future<Optional<Lease>>> queued = lineUpBehindABrokenLeaseSession(client, prefix);
            long start = System.nanoTime();
            Future<Optional<Lease>> acquire = threads.submit(
                    () -> client.jobLock().acquire(prefix + "key", Duration.ofSeconds(30), Duration.ofMillis(500)));
            assertThat(acquire.get(10, TimeUnit.SECONDS))
                    .as("the acquire, after its maxWait")
                    .isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("time to the acquire's end")
                    .isBetween(Duration.ofMillis(500), Duration.ofSeconds(3));
            releaseQueued(queued);
        }
    }

    /** As above, and an interrupt ends that wait at once, with {@link InterruptedException}. */
    @Test
    void aSessionAcquireWhoseIdleSessionBrokeIsInterruptibleWhileItWaitsForAnother() throws Exception {
        String prefix = "replaced-" + System.nanoTime() + "-";
        try (PostgresBackend client = client(Variant.ADVISORY)) {
            AtomicReference<Future<Optional<Lease>>> queued = lineUpBehindABrokenLeaseSession(client, prefix);
            AtomicReference<Thread> acquirer = new AtomicReference<>();
            Future<Optional<Lease>> acquire = threads.submit(() -> {
                acquirer.set(Thread.currentThread());
                return client.jobLock().acquire(prefix + "key", Duration.ofSeconds(30), Duration.ofSeconds(30));
            });
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (queued.get() == null && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(queued.get())
                    .as("the acquire that lined up while the session broke")
                    .isNotNull();
            Lease held = queued.get().get(10, TimeUnit.SECONDS).orElseThrow(); // it has the lease session
            Thread.sleep(300); // the first acquire is waiting for a lease session again
            assertThat(acquire.isDone())
                    .as("the first acquire waits for a lease session")
                    .isFalse();
            long interrupted = System.nanoTime();
            acquirer.get().interrupt();
            assertThatThrownBy(() -> acquire.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - interrupted))
                    .as("time from the interrupt to the acquire's end")
                    .isLessThan(Duration.ofSeconds(2));
            assertThat(held.release()).isTrue();
        }
    }

    /**
     * Leaves {@code client}'s one lease session idle, then arms the wire: the next advisory acquire
     * breaks it, and in that moment another acquire (of {@code prefix + "queued"}) lines up for the
     * lease session it frees. The returned reference holds that acquire once it lined up.
     */
    private AtomicReference<Future<Optional<Lease>>> lineUpBehindABrokenLeaseSession(
            PostgresBackend client, String prefix) {
        client.jobLock()
                .tryAcquire(prefix + "idle", Duration.ofSeconds(30))
                .orElseThrow()
                .release();
        AtomicReference<Future<Optional<Lease>>> queued = new AtomicReference<>();
        wire.cutReplies(
                Fixture.ADVISORY_ACQUIRE_MARKER,
                1,
                () -> queued.set(lineUp(() ->
                        client.jobLock().acquire(prefix + "queued", Duration.ofSeconds(30), Duration.ofSeconds(30)))));
        return queued;
    }

    private static void releaseQueued(AtomicReference<Future<Optional<Lease>>> queued) throws Exception {
        assertThat(queued.get())
                .as("the acquire that lined up while the session broke")
                .isNotNull();
        Lease held = queued.get().get(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(held.release()).isTrue();
    }

    /**
     * Starts {@code call} on another thread and returns once it waits for a permit of the client's
     * pool (so it is lined up before the connection in hand breaks).
     */
    private <T> Future<T> lineUp(java.util.concurrent.Callable<T> call) {
        AtomicReference<Thread> caller = new AtomicReference<>();
        Future<T> future = threads.submit(() -> {
            caller.set(Thread.currentThread());
            return call.call();
        });
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            Thread t = caller.get();
            if (t != null
                    && t.getState() == Thread.State.TIMED_WAITING
                    && Arrays.stream(t.getStackTrace())
                            .anyMatch(f -> f.getClassName().endsWith(".SessionPool"))) {
                return future;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the other caller never waited for the client's pool");
    }

    private static void holdRow(Connection outside, String key) throws Exception {
        try (PreparedStatement hold = outside.prepareStatement(
                "SELECT 1 FROM " + fixture.tables.versionedTable() + " WHERE key = ? FOR UPDATE")) {
            hold.setBytes(1, key.getBytes(StandardCharsets.UTF_8));
            assertThat(hold.executeQuery().next())
                    .as("the outside transaction holds the row")
                    .isTrue();
        }
    }

    private void awaitBlocked(Connection outside, int statements) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ConnectionBudgetTest.blockedOnTheRow(outside, wireName) < statements && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(ConnectionBudgetTest.blockedOnTheRow(outside, wireName))
                .as("statements of the client waiting for the rows")
                .isEqualTo(statements);
    }
}
