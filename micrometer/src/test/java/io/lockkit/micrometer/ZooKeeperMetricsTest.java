package io.lockkit.micrometer;

import static io.lockkit.micrometer.LockKitMetrics.ACQUIRE;
import static io.lockkit.micrometer.LockKitMetrics.LEASE_EXTEND;
import static io.lockkit.micrometer.LockKitMetrics.LEASE_HELD;
import static io.lockkit.micrometer.LockKitMetrics.LEASE_LOST;
import static io.lockkit.micrometer.LockKitMetrics.LEASE_RELEASE;
import static io.lockkit.micrometer.LockKitMetrics.UPDATER_CONFLICTS;
import static io.lockkit.micrometer.LockKitMetrics.WRITE_CONFLICTS;
import static io.lockkit.micrometer.LockKitMetrics.WRITE_FENCED_OUT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.FencedOutException;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.RetryPolicy;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.testkit.zookeeper.ZooKeeperTarget;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same counts on a real store: ZooKeeper in the JVM (the testkit's TestingServer), each test on
 * fresh clients under a root of its own, the instrumented one and an undecorated rival.
 */
class ZooKeeperMetricsTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    private static ZooKeeperTarget target;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Recorded recorded = new Recorded(registry);
    private Backend raw;
    private Backend rival;
    private Backend backend;

    @BeforeAll
    static void start() {
        target = new ZooKeeperTarget();
    }

    @AfterAll
    static void stop() {
        target.close();
    }

    @BeforeEach
    void open() {
        String root = "/metrics-" + UUID.randomUUID();
        raw = target.newClient(root);
        rival = target.newClient(root);
        backend = LockKitMetrics.instrument(raw, registry);
    }

    @Test
    void twoThreadsRacingForOneKeyFromOneBarrier_oneAcquiredOneNot() throws Exception {
        CyclicBarrier barrier = new CyclicBarrier(2);
        JobLock lock = backend.jobLock();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Optional<Lease>>> racers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                racers.add(pool.submit(() -> {
                    barrier.await();
                    return lock.tryAcquire("job-1", LONG);
                }));
            }
            List<Lease> won = new ArrayList<>();
            for (Future<Optional<Lease>> racer : racers) {
                racer.get(30, TimeUnit.SECONDS).ifPresent(won::add);
            }
            assertThat(won).hasSize(1);
            assertThat(recorded.count(ACQUIRE, "method", "try_acquire", "outcome", "acquired"))
                    .isEqualTo(1);
            assertThat(recorded.count(ACQUIRE, "method", "try_acquire", "outcome", "not_acquired"))
                    .isEqualTo(1);
            assertThat(recorded.count(ACQUIRE)).isEqualTo(2);

            assertThat(won.get(0).extend(LONG)).isTrue();
            assertThat(won.get(0).release()).isTrue();
            assertThat(recorded.count(LEASE_EXTEND, "outcome", "extended")).isEqualTo(1);
            assertThat(recorded.count(LEASE_RELEASE, "outcome", "released")).isEqualTo(1);
            assertThat(recorded.count(LEASE_HELD, "outcome", "released")).isEqualTo(1);
            assertThat(recorded.count(LEASE_LOST)).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aStaleTokenIsFencedOutExactlyOnce_andConflictsAreCounted() {
        VersionedUpdate cells = backend.versionedUpdate();
        Lease zombie = backend.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        Versioned first = cells.create("cell", bytes("a"), zombie.token()).orElseThrow();
        assertThat(zombie.release()).isTrue();
        Lease current = rival.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        Versioned second = rival.versionedUpdate()
                .compareAndSet("cell", first.version(), bytes("b"), current.token())
                .orElseThrow();

        assertThatThrownBy(() -> cells.compareAndSet("cell", second.version(), bytes("z"), zombie.token()))
                .isExactlyInstanceOf(FencedOutException.class);
        assertThat(recorded.count(WRITE_FENCED_OUT, "operation", "compare_and_set"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_FENCED_OUT)).isEqualTo(1);

        assertThat(cells.compareAndSet("cell", first.version(), bytes("c"))).isEmpty();
        assertThat(cells.create("cell", bytes("c"))).isEmpty();
        assertThat(cells.delete("cell", first.version())).isFalse();
        assertThat(recorded.count(WRITE_CONFLICTS, "operation", "compare_and_set", "fenced", "false"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS, "operation", "create", "fenced", "false"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS, "operation", "delete", "fenced", "false"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS)).isEqualTo(3);
        assertThat(cells.read("cell").orElseThrow().valueAsString()).isEqualTo("b");
        current.release();
    }

    @Test
    void theUpdatersConflictIsCounted() {
        VersionedUpdate cells = backend.versionedUpdate();
        cells.create("counter", bytes("0")).orElseThrow();
        AtomicInteger calls = new AtomicInteger();
        Versioned written = cells.updater(RetryPolicy.ofDefaults())
                .update("counter", current -> {
                    if (calls.incrementAndGet() == 1) {
                        Versioned now = rival.versionedUpdate().read("counter").orElseThrow();
                        rival.versionedUpdate().compareAndSet("counter", now.version(), bytes("10"));
                    }
                    int n = Integer.parseInt(current.orElseThrow().valueAsString());
                    return Optional.of(bytes(Integer.toString(n + 1)));
                })
                .orElseThrow();
        assertThat(written.valueAsString()).isEqualTo("11");
        assertThat(recorded.count(UPDATER_CONFLICTS, "operation", "compare_and_set"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS)).isEqualTo(1);
    }

    @Test
    void aLeaseThatRunsOut_isLostOnceAsExpired() {
        // The shortest lease is twice the drift margin (100 ms): this one is valid for 300 ms.
        Lease lease =
                backend.jobLock().tryAcquire("job-1", Duration.ofMillis(400)).orElseThrow();
        recorded.awaitCount(1, LEASE_LOST, "cause", "expired");
        assertThat(lease.isValid()).isFalse();
        assertThat(lease.release()).isFalse();
        assertThat(recorded.count(LEASE_LOST)).isEqualTo(1);
        assertThat(recorded.count(LEASE_HELD, "outcome", "lost")).isEqualTo(1);
        assertThat(recorded.count(LEASE_HELD)).isEqualTo(1);
    }

    @Test
    void anExpiredSession_losesTheLeaseAsSessionEnded() {
        Lease lease = backend.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        target.expireSession(raw);
        recorded.awaitCount(1, LEASE_LOST, "cause", "session_ended");
        assertThat(lease.isValid()).isFalse();
        assertThat(recorded.count(LEASE_LOST)).isEqualTo(1);
        assertThat(recorded.count(LEASE_HELD, "outcome", "lost")).isEqualTo(1);
        Recorded.await(
                () -> rival.jobLock()
                        .tryAcquire("job-1", LONG)
                        .map(Lease::release)
                        .orElse(false),
                Duration.ofSeconds(15),
                "the key is free again");
    }

    @Test
    void everyMeterIsTaggedZooKeeperSession_andNoneByKey() {
        Lease lease = backend.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        assertThat(backend.jobLock().tryAcquire("job-1", LONG)).isEmpty();
        backend.versionedUpdate().create("cell", bytes("a"), lease.token()).orElseThrow();
        assertThat(backend.versionedUpdate().create("cell", bytes("a"))).isEmpty();
        lease.release();
        assertThat(registry.getMeters()).isNotEmpty().allSatisfy(m -> {
            Meter.Id id = m.getId();
            assertThat(id.getTag("backend")).as(id.toString()).isEqualTo("zookeeper");
            assertThat(id.getTag("variant")).as(id.toString()).isEqualTo("session");
            assertThat(id.getTag("key")).as(id.toString()).isNull();
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }
}
