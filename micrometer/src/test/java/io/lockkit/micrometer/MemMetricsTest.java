package io.lockkit.micrometer;

import static io.lockkit.micrometer.LockKitMetrics.ACQUIRE;
import static io.lockkit.micrometer.LockKitMetrics.BACKEND_UNAVAILABLE;
import static io.lockkit.micrometer.LockKitMetrics.LEASE_EXTEND;
import static io.lockkit.micrometer.LockKitMetrics.LEASE_HELD;
import static io.lockkit.micrometer.LockKitMetrics.LEASE_LOST;
import static io.lockkit.micrometer.LockKitMetrics.LEASE_RELEASE;
import static io.lockkit.micrometer.LockKitMetrics.UPDATER_CONFLICTS;
import static io.lockkit.micrometer.LockKitMetrics.WRITE_CONFLICTS;
import static io.lockkit.micrometer.LockKitMetrics.WRITE_FENCED_OUT;
import static io.lockkit.micrometer.LockKitMetrics.WRITE_OUTCOME_UNKNOWN;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.ConcurrentUpdateException;
import io.lockkit.FencedOutException;
import io.lockkit.JobLock;
import io.lockkit.KeepAlive;
import io.lockkit.Lease;
import io.lockkit.LockKit;
import io.lockkit.OutcomeUnknownException;
import io.lockkit.RetryPolicy;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every meter on the in-memory backend, with exact counts: each test drives one situation through
 * the instrumented backend and checks what was counted, and that nothing else was.
 */
class MemMetricsTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Recorded recorded = new Recorded(registry);
    private final List<Backend> opened = new ArrayList<>();
    private String storeName;
    private MemBackend raw;
    private MemStore store;
    private Backend backend;

    @BeforeEach
    void open() {
        storeName = "metrics-" + UUID.randomUUID();
        raw = open("timed");
        store = MemStore.named(storeName);
        backend = LockKitMetrics.instrument(raw, registry);
    }

    private MemBackend open(String lease) {
        MemBackend b = (MemBackend) LockKit.open("mem:" + storeName + "?lease=" + lease);
        opened.add(b);
        return b;
    }

    @AfterEach
    void close() {
        store.setReachable(true);
        opened.forEach(Backend::close);
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
                racer.get(10, TimeUnit.SECONDS).ifPresent(won::add);
            }
            assertThat(won).hasSize(1);
            assertThat(recorded.count(ACQUIRE, "method", "try_acquire", "outcome", "acquired", "exception", "none"))
                    .isEqualTo(1);
            assertThat(recorded.count(ACQUIRE, "method", "try_acquire", "outcome", "not_acquired", "exception", "none"))
                    .isEqualTo(1);
            assertThat(recorded.count(ACQUIRE)).isEqualTo(2);
            assertThat(recorded.count(LEASE_HELD)).isZero();

            assertThat(won.get(0).release()).isTrue();
            assertThat(recorded.count(LEASE_HELD, "outcome", "released")).isEqualTo(1);
            assertThat(recorded.count(LEASE_RELEASE, "outcome", "released", "exception", "none"))
                    .isEqualTo(1);
            assertThat(recorded.count(LEASE_LOST)).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void blockingAcquire_timesTheWaitByOutcome() throws Exception {
        JobLock lock = backend.jobLock();
        Lease holder = lock.tryAcquire("job-1", LONG).orElseThrow();

        assertThat(lock.acquire("job-1", LONG, Duration.ofMillis(100))).isEmpty();
        assertThat(recorded.count(ACQUIRE, "method", "acquire", "outcome", "not_acquired"))
                .isEqualTo(1);
        assertThat(recorded.totalMillis(ACQUIRE, "method", "acquire", "outcome", "not_acquired"))
                .isGreaterThanOrEqualTo(100);

        CompletableFuture<Optional<Lease>> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return lock.acquire("job-1", LONG, Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertThat(holder.release()).isTrue();
        Lease next = waiter.get(10, TimeUnit.SECONDS).orElseThrow();
        assertThat(recorded.count(ACQUIRE, "method", "acquire", "outcome", "acquired"))
                .isEqualTo(1);
        assertThat(recorded.totalMillis(ACQUIRE, "method", "acquire", "outcome", "acquired"))
                .isGreaterThanOrEqualTo(150);
        next.release();

        Lease again = lock.tryAcquire("job-1", LONG).orElseThrow();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> lock.acquire("job-1", LONG, Duration.ofSeconds(10)))
                .isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).as("the interrupt flag is set again").isTrue();
        assertThat(recorded.count(
                        ACQUIRE, "method", "acquire", "outcome", "failed", "exception", "InterruptedException"))
                .isEqualTo(1);
        again.release();
        assertThat(recorded.count(ACQUIRE, "method", "acquire")).isEqualTo(3);
    }

    @Test
    void failedAcquires_countTheExceptionTypeAndAnUnreachableStore() {
        JobLock lock = backend.jobLock();
        assertThatThrownBy(() -> lock.tryAcquire("job-1", Duration.ZERO))
                .isExactlyInstanceOf(IllegalArgumentException.class);
        assertThat(recorded.count(
                        ACQUIRE, "method", "try_acquire", "outcome", "failed", "exception", "IllegalArgumentException"))
                .isEqualTo(1);
        assertThat(recorded.count(BACKEND_UNAVAILABLE)).isZero();

        store.setReachable(false);
        assertThatThrownBy(() -> lock.tryAcquire("job-1", LONG)).isExactlyInstanceOf(BackendUnavailableException.class);
        assertThatThrownBy(() -> backend.versionedUpdate().read("cell"))
                .isExactlyInstanceOf(BackendUnavailableException.class);
        assertThat(recorded.count(
                        ACQUIRE,
                        "method",
                        "try_acquire",
                        "outcome",
                        "failed",
                        "exception",
                        "BackendUnavailableException"))
                .isEqualTo(1);
        assertThat(recorded.count(BACKEND_UNAVAILABLE, "operation", "try_acquire"))
                .isEqualTo(1);
        assertThat(recorded.count(BACKEND_UNAVAILABLE, "operation", "read")).isEqualTo(1);
        assertThat(recorded.count(BACKEND_UNAVAILABLE)).isEqualTo(2);
    }

    @Test
    void aStaleTokenIsFencedOutExactlyOnce() {
        JobLock lock = backend.jobLock();
        VersionedUpdate cells = backend.versionedUpdate();
        Lease zombie = lock.tryAcquire("job-1", LONG).orElseThrow();
        Versioned first = cells.create("cell", bytes("a"), zombie.token()).orElseThrow();
        store.evict("job-1"); // the zombie's lease is taken over while it pauses
        Lease current = lock.tryAcquire("job-1", LONG).orElseThrow();
        Versioned second = cells.compareAndSet("cell", first.version(), bytes("b"), current.token())
                .orElseThrow();

        assertThatThrownBy(() -> cells.compareAndSet("cell", second.version(), bytes("z"), zombie.token()))
                .isExactlyInstanceOf(FencedOutException.class)
                .satisfies(e -> {
                    FencedOutException f = (FencedOutException) e;
                    assertThat(f.token()).isEqualTo(zombie.token());
                    assertThat(f.highestToken()).isEqualTo(current.token());
                });
        assertThat(recorded.count(WRITE_FENCED_OUT, "operation", "compare_and_set"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_FENCED_OUT)).isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS)).isZero();
        assertThat(cells.read("cell").orElseThrow().valueAsString()).isEqualTo("b");
    }

    @Test
    void conflicts_areCountedByOperationAndFencing() {
        VersionedUpdate cells = backend.versionedUpdate();
        Versioned v1 = cells.create("cell", bytes("a")).orElseThrow();
        Versioned v2 = cells.compareAndSet("cell", v1.version(), bytes("b")).orElseThrow();
        assertThat(recorded.count(WRITE_CONFLICTS)).isZero();

        assertThat(cells.create("cell", bytes("c"))).isEmpty();
        assertThat(cells.compareAndSet("cell", v1.version(), bytes("c"))).isEmpty();
        assertThat(cells.delete("cell", v1.version())).isFalse();
        Lease lease = backend.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        assertThat(cells.create("cell", bytes("c"), lease.token())).isEmpty();
        assertThat(cells.compareAndSet("cell", v1.version(), bytes("c"), lease.token()))
                .isEmpty();

        assertThat(recorded.count(WRITE_CONFLICTS, "operation", "create", "fenced", "false"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS, "operation", "compare_and_set", "fenced", "false"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS, "operation", "delete", "fenced", "false"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS, "operation", "create", "fenced", "true"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS, "operation", "compare_and_set", "fenced", "true"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS)).isEqualTo(5);
        assertThat(recorded.count(UPDATER_CONFLICTS))
                .as("none of them came from the Updater")
                .isZero();
        assertThat(cells.read("cell")).contains(v2);
    }

    @Test
    void theUpdatersConflictsAreCounted_oncePerLostAttempt() {
        VersionedUpdate cells = backend.versionedUpdate();
        cells.create("counter", bytes("0")).orElseThrow();
        AtomicInteger calls = new AtomicInteger();
        Versioned written = cells.updater(RetryPolicy.ofDefaults())
                .update("counter", current -> {
                    if (calls.incrementAndGet() == 1) {
                        // a rival in another process writes first: this attempt's compare-and-set loses
                        VersionedUpdate rival = raw.versionedUpdate();
                        Versioned now = rival.read("counter").orElseThrow();
                        rival.compareAndSet("counter", now.version(), bytes("10"));
                    }
                    int n = Integer.parseInt(current.orElseThrow().valueAsString());
                    return Optional.of(bytes(Integer.toString(n + 1)));
                })
                .orElseThrow();
        assertThat(written.valueAsString()).isEqualTo("11");
        assertThat(calls).hasValue(2);
        assertThat(recorded.count(UPDATER_CONFLICTS, "operation", "compare_and_set"))
                .isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS, "operation", "compare_and_set", "fenced", "false"))
                .isEqualTo(1);

        // An exhausted policy: the conflict is counted, the ConcurrentUpdateException reaches the caller.
        RetryPolicy once = RetryPolicy.builder().maxAttempts(1).build();
        assertThatThrownBy(() -> cells.updater(once).update("counter", current -> {
                    Versioned now = raw.versionedUpdate().read("counter").orElseThrow();
                    raw.versionedUpdate().compareAndSet("counter", now.version(), bytes("20"));
                    return Optional.of(bytes("x"));
                }))
                .isExactlyInstanceOf(ConcurrentUpdateException.class);
        assertThat(recorded.count(UPDATER_CONFLICTS)).isEqualTo(2);
        assertThat(recorded.count(WRITE_CONFLICTS)).isEqualTo(2);
    }

    @Test
    void aLeaseThatExpires_isLostOnceAsExpired() {
        Lease lease =
                backend.jobLock().tryAcquire("job-1", Duration.ofMillis(150)).orElseThrow();
        List<Lease> told = new CopyOnWriteArrayList<>();
        lease.onLost(told::add);

        recorded.awaitCount(1, LEASE_LOST, "cause", "expired");
        Recorded.await(() -> !told.isEmpty(), Duration.ofSeconds(5), "the caller's listener");
        assertThat(told).containsExactly(lease);
        assertThat(lease.isValid()).isFalse();
        assertThat(lease.release()).isFalse();

        assertThat(recorded.count(LEASE_LOST)).isEqualTo(1);
        assertThat(recorded.count(LEASE_HELD, "outcome", "lost")).isEqualTo(1);
        assertThat(recorded.totalMillis(LEASE_HELD, "outcome", "lost")).isGreaterThanOrEqualTo(140);
        assertThat(recorded.count(LEASE_HELD))
                .as("the release after the loss ends nothing")
                .isEqualTo(1);
        assertThat(recorded.count(LEASE_RELEASE, "outcome", "not_held")).isEqualTo(1);
    }

    @Test
    void aSessionThatEnds_losesItsLeaseAsSessionEnded() {
        MemBackend sessions = open("session");
        Backend metered = LockKitMetrics.instrument(sessions, registry);
        Lease lease = metered.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        store.expireSession(sessions);

        recorded.awaitCount(1, LEASE_LOST, "cause", "session_ended", "variant", "session");
        assertThat(lease.isValid()).isFalse();
        assertThat(recorded.count(LEASE_LOST)).isEqualTo(1);
        assertThat(recorded.count(LEASE_HELD, "outcome", "lost", "variant", "session"))
                .isEqualTo(1);
    }

    @Test
    void aRefusedExtend_isCountedAndLosesTheLeaseAsExtendRefused() {
        Lease lease = backend.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        assertThat(lease.extend(LONG)).isTrue();
        store.evict("job-1");
        assertThat(lease.extend(LONG)).isFalse();
        assertThat(lease.isValid()).isFalse();

        assertThat(recorded.count(LEASE_EXTEND, "outcome", "extended", "exception", "none"))
                .isEqualTo(1);
        assertThat(recorded.count(LEASE_EXTEND, "outcome", "refused", "exception", "none"))
                .isEqualTo(1);
        recorded.awaitCount(1, LEASE_LOST, "cause", "extend_refused");
        assertThat(recorded.count(LEASE_LOST)).isEqualTo(1);
    }

    @Test
    void keepAliveExtendsGoThroughTheDecorator_andItsFailureIsCounted() {
        Lease lease =
                backend.jobLock().tryAcquire("job-1", Duration.ofMillis(600)).orElseThrow();
        try (KeepAlive keepAlive = KeepAlive.start(lease, Duration.ofMillis(600), Duration.ofMillis(50))) {
            Recorded.await(
                    () -> recorded.count(LEASE_EXTEND, "outcome", "extended") >= 2,
                    Duration.ofSeconds(5),
                    "two extends by the keep-alive");
            store.evict("job-1");
            recorded.awaitCount(1, LEASE_LOST, "cause", "extend_refused");
            Recorded.await(() -> !keepAlive.isRunning(), Duration.ofSeconds(5), "the keep-alive stops");
        }
        assertThat(recorded.count(LEASE_EXTEND, "outcome", "refused")).isEqualTo(1);
        assertThat(recorded.count(LEASE_EXTEND, "outcome", "failed")).isZero();
        assertThat(recorded.count(LEASE_LOST)).isEqualTo(1);
    }

    @Test
    void anExtendThatThrows_isAFailedExtendAndAnUnreachableStore() {
        Lease lease = backend.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        store.setReachable(false);
        assertThatThrownBy(() -> lease.extend(LONG)).isExactlyInstanceOf(BackendUnavailableException.class);
        assertThatThrownBy(lease::release).isExactlyInstanceOf(BackendUnavailableException.class);
        store.setReachable(true);
        assertThat(lease.release()).as("a retried release frees the key").isTrue();

        assertThat(recorded.count(LEASE_EXTEND, "outcome", "failed", "exception", "BackendUnavailableException"))
                .isEqualTo(1);
        assertThat(recorded.count(LEASE_RELEASE, "outcome", "failed", "exception", "BackendUnavailableException"))
                .isEqualTo(1);
        assertThat(recorded.count(LEASE_RELEASE, "outcome", "released")).isEqualTo(1);
        assertThat(recorded.count(BACKEND_UNAVAILABLE, "operation", "extend")).isEqualTo(1);
        assertThat(recorded.count(BACKEND_UNAVAILABLE, "operation", "release")).isEqualTo(1);
        assertThat(recorded.count(LEASE_HELD, "outcome", "released"))
                .as("held until the first release, once")
                .isEqualTo(1);
        assertThat(recorded.count(LEASE_LOST)).isZero();
    }

    @Test
    void aWriteWhoseReplyIsLost_isAnUnknownOutcome() {
        VersionedUpdate cells = backend.versionedUpdate();
        store.loseReplies(raw, true);
        assertThatThrownBy(() -> cells.create("cell", bytes("a"))).isExactlyInstanceOf(OutcomeUnknownException.class);
        assertThatThrownBy(() -> cells.read("cell")).isExactlyInstanceOf(BackendUnavailableException.class);
        store.loseReplies(raw, false);
        Versioned applied = cells.read("cell").orElseThrow();
        store.loseReplies(raw, true);
        assertThatThrownBy(() -> cells.delete("cell", applied.version(), 1))
                .isExactlyInstanceOf(OutcomeUnknownException.class);
        store.loseReplies(raw, false);

        assertThat(recorded.count(WRITE_OUTCOME_UNKNOWN, "operation", "create")).isEqualTo(1);
        assertThat(recorded.count(WRITE_OUTCOME_UNKNOWN, "operation", "delete")).isEqualTo(1);
        assertThat(recorded.count(WRITE_OUTCOME_UNKNOWN)).isEqualTo(2);
        assertThat(recorded.count(BACKEND_UNAVAILABLE, "operation", "read")).isEqualTo(1);
        assertThat(recorded.count(WRITE_CONFLICTS)).isZero();
    }

    @Test
    void noMeterCarriesAKeyTagByDefault_andEveryOneNamesTheBackend() throws Exception {
        exerciseEveryMeter(backend, recorded);
        List<Meter> meters = registry.getMeters();
        assertThat(meters.stream().map(m -> m.getId().getName()).distinct())
                .containsExactlyInAnyOrder(
                        ACQUIRE,
                        LEASE_HELD,
                        LEASE_LOST,
                        LEASE_EXTEND,
                        LEASE_RELEASE,
                        WRITE_CONFLICTS,
                        WRITE_FENCED_OUT,
                        WRITE_OUTCOME_UNKNOWN,
                        BACKEND_UNAVAILABLE,
                        UPDATER_CONFLICTS);
        for (Meter m : meters) {
            assertThat(m.getId().getTag("key")).as(m.getId().toString()).isNull();
            assertThat(m.getId().getTag("backend")).as(m.getId().toString()).isEqualTo("mem");
            assertThat(m.getId().getTag("variant")).as(m.getId().toString()).isEqualTo("timed");
        }
    }

    @Test
    void anOptInKeyTagMapsKeysToABoundedValue() throws Exception {
        SimpleMeterRegistry tagged = new SimpleMeterRegistry();
        Backend b = LockKitMetrics.builder(tagged)
                .keyTag(key -> key.startsWith("job-") ? "job" : "cell")
                .tags("app", "billing")
                .instrument(raw);
        exerciseEveryMeter(b, new Recorded(tagged));
        assertThat(tagged.getMeters()).hasSizeGreaterThanOrEqualTo(10).allSatisfy(m -> {
            assertThat(m.getId().getTag("key")).as(m.getId().toString()).isIn("job", "cell");
            assertThat(m.getId().getTag("app")).isEqualTo("billing");
        });
        assertThat(new Recorded(tagged).count(ACQUIRE, "key", "job")).isPositive();
        assertThat(new Recorded(tagged).count(WRITE_CONFLICTS, "key", "cell")).isPositive();
    }

    @Test
    void backendAndVariantTagsComeFromTheNameOrTheBuilder() {
        assertThat(LockKitMetrics.Builder.split("zookeeper/session")).containsExactly("zookeeper", "session");
        assertThat(LockKitMetrics.Builder.split("redis")).containsExactly("redis", "default");
        assertThat(LockKitMetrics.Builder.split(null)).containsExactly("unknown", "default");
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        Backend b = LockKitMetrics.builder(other)
                .backendTag("cache")
                .variantTag("eu")
                .instrument(raw);
        assertThat(b.jobLock().tryAcquire("job-9", LONG)).isPresent();
        assertThat(new Recorded(other).count(ACQUIRE, "backend", "cache", "variant", "eu"))
                .isEqualTo(1);
    }

    /** Drives every meter once: the calls of the tests above, on one key of each kind. */
    private void exerciseEveryMeter(Backend b, Recorded into) throws Exception {
        JobLock lock = b.jobLock();
        VersionedUpdate cells = b.versionedUpdate();
        Lease held = lock.tryAcquire("job-1", LONG).orElseThrow();
        assertThat(lock.acquire("job-1", LONG, Duration.ZERO)).isEmpty();
        assertThat(held.extend(LONG)).isTrue();
        Versioned v = cells.create("cell-1", bytes("a"), held.token()).orElseThrow();
        held.release();
        Lease next = lock.tryAcquire("job-1", Duration.ofMillis(50)).orElseThrow();
        Versioned v2 = cells.compareAndSet("cell-1", v.version(), bytes("b"), next.token())
                .orElseThrow();
        assertThatThrownBy(() -> cells.delete("cell-1", v2.version(), held.token()))
                .isInstanceOf(FencedOutException.class);
        assertThat(cells.compareAndSet("cell-1", v.version(), bytes("c"))).isEmpty();
        AtomicInteger calls = new AtomicInteger();
        cells.updater(RetryPolicy.ofDefaults()).update("cell-1", current -> {
            if (calls.incrementAndGet() == 1) {
                Versioned now = raw.versionedUpdate().read("cell-1").orElseThrow();
                raw.versionedUpdate().compareAndSet("cell-1", now.version(), bytes("d"));
            }
            return Optional.of(bytes("e"));
        });
        into.awaitCount(1, LEASE_LOST, "cause", "expired");
        store.loseReplies(raw, true);
        try {
            assertThatThrownBy(() -> cells.create("cell-2", bytes("a"))).isInstanceOf(OutcomeUnknownException.class);
            assertThatThrownBy(() -> cells.read("cell-2")).isInstanceOf(BackendUnavailableException.class);
        } finally {
            store.loseReplies(raw, false);
        }
    }

    @Test
    void behavesAsTheOriginal_leaseIdentityTokensAndResults() throws Exception {
        assertThat(backend.name()).isEqualTo(raw.name());
        assertThat(backend.capabilities()).isEqualTo(raw.capabilities());
        assertThat(backend.jobLock().leaseLimits()).isEqualTo(raw.jobLock().leaseLimits());
        assertThat(backend.versionedUpdate())
                .as("one store instance, so the Updater's turns are shared")
                .isSameAs(backend.versionedUpdate());

        Lease lease = backend.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        assertThat(store.holderToken("job-1")).contains(lease.token());
        assertThat(lease.key()).isEqualTo("job-1");
        assertThat(lease.isValid()).isTrue();
        assertThat(lease.remaining()).isPositive().isLessThanOrEqualTo(LONG);
        assertThat(backend.jobLock().tryAcquire("job-1", LONG)).isSameAs(Optional.empty());
        assertThat(lease.release()).isTrue();
        assertThat(lease.release()).isFalse();
        lease.close();
        assertThat(lease.isValid()).isFalse();
        assertThat(lease.remaining()).isZero();
        List<Lease> told = new CopyOnWriteArrayList<>();
        lease.onLost(told::add);
        assertThat(told).as("never called after a release").isEmpty();
        assertThat(recorded.count(LEASE_RELEASE, "outcome", "released")).isEqualTo(1);
        assertThat(recorded.count(LEASE_RELEASE, "outcome", "not_held")).isEqualTo(2);
        assertThat(recorded.count(LEASE_HELD)).isEqualTo(1);

        Optional<String> ran = backend.jobLock().callWithLease("job-1", LONG, Duration.ZERO, l -> {
            assertThat(l.isValid()).isTrue();
            return "ran";
        });
        assertThat(ran).contains("ran");
        assertThat(store.holderToken("job-1")).as("released by callWithLease").isEmpty();
        assertThat(recorded.count(LEASE_HELD, "outcome", "released")).isEqualTo(2);
    }

    @Test
    void metricsNeverThrowIntoTheCallersPath() {
        SimpleMeterRegistry broken = new SimpleMeterRegistry();
        broken.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                throw new IllegalStateException("broken registry");
            }
        });
        Backend b = LockKitMetrics.builder(broken)
                .keyTag(key -> {
                    throw new IllegalStateException("broken key tag");
                })
                .instrument(raw);
        Lease lease = b.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        assertThat(b.jobLock().tryAcquire("job-1", LONG)).isEmpty();
        assertThat(lease.extend(LONG)).isTrue();
        VersionedUpdate cells = b.versionedUpdate();
        Versioned v = cells.create("cell", bytes("a"), lease.token()).orElseThrow();
        assertThat(cells.create("cell", bytes("b"))).isEmpty();
        assertThat(lease.release()).isTrue();
        Lease next = b.jobLock().tryAcquire("job-1", LONG).orElseThrow();
        cells.compareAndSet("cell", v.version(), bytes("c"), next.token()).orElseThrow();
        assertThatThrownBy(() -> cells.compareAndSet("cell", v.version() + 1, bytes("z"), lease.token()))
                .isExactlyInstanceOf(FencedOutException.class);
        assertThat(next.release()).isTrue();
        assertThat(broken.getMeters()).isEmpty();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    /** Like the plain lease: a null listener is refused. */
    @Test
    void onLostRefusesANullListenerAsThePlainLeaseDoes() {
        try (Lease lease = backend.jobLock().tryAcquire("null-listener", LONG).orElseThrow()) {
            assertThatThrownBy(() -> lease.onLost(null)).isInstanceOf(NullPointerException.class);
        }
    }

    /**
     * The loss watch behind each metered lease is a task on lockkit's shared timer: released or
     * closed, a lease leaves none behind (an hour-long lease would otherwise keep its task an hour).
     */
    @Test
    void releasedAndClosedLeasesLeaveNoTaskOnTheTimer() throws Exception {
        java.lang.reflect.Field field =
                Class.forName("io.lockkit.internal.LeaseTimer").getDeclaredField("EXECUTOR");
        field.setAccessible(true);
        var timer = (java.util.concurrent.ScheduledThreadPoolExecutor) field.get(null);
        int before = timer.getQueue().size();
        for (int i = 0; i < 500; i++) {
            Lease lease = backend.jobLock()
                    .tryAcquire("timer-" + i, Duration.ofHours(1))
                    .orElseThrow();
            if (i % 2 == 0) {
                lease.release();
            } else {
                lease.close();
            }
        }
        assertThat(timer.getQueue().size())
                .as("tasks on the timer after 500 leases were released or closed")
                .isLessThanOrEqualTo(before);
    }
}
