package io.lockkit.race.proc;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import io.lockkit.spi.ForwardingBackend;
import io.lockkit.spi.ForwardingJobLock;
import io.lockkit.spi.ForwardingLease;
import io.lockkit.spi.ForwardingVersionedUpdate;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.scenarios.ScenarioRow;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The soak flags the two defects users ship most, within the soak: a store that does not enforce
 * fencing (a stalled holder's late write lands after its successor's: stale writes, V3) and a
 * release that deletes whoever holds the key (a stalled holder frees its successor, and a third
 * worker enters beside it: overlaps, L1); and two that an adversarial review of the checker found it
 * blind to: tokens that go down (L2) and a write applied but reported unavailable (V4). The reference backend, soaked the same way, is clean. All
 * in one JVM on the reference store, with short leases so stalls happen often.
 */
class SoakBrokenBackendsTest {
    private static final Duration SOAK = Duration.ofSeconds(6);
    private static final Duration LEASE = Duration.ofMillis(300);

    /** Every client a {@link MemBackend} on one store, passed through {@code defect}. */
    private static TckTarget target(String name, BiFunction<MemStore, Backend, Backend> defect) {
        MemStore store = MemStore.create();
        return new TckTarget() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Backend newClient() {
                return defect.apply(store, MemBackend.builder(store).build());
            }

            @Override
            public StoreFaults faults() {
                throw new UnsupportedOperationException("no faults: the defects alone");
            }
        };
    }

    private static ScenarioRow soak(TckTarget target) throws InterruptedException {
        ScenarioRow row = Soak.inJvm(target, 4, 6, SOAK, LEASE);
        System.out.println(row.describe());
        return row;
    }

    @Test
    void theReferenceBackendComesOutClean() throws InterruptedException {
        ScenarioRow row = soak(target("mem", (store, client) -> client));
        assertThat(row.violations()).isEmpty();
        assertThat(row.winners()).as("grants").isGreaterThan(100);
        assertThat(row.notes())
                .anyMatch(n -> n.startsWith("outcomes:") && n.contains("fenced=") && !n.contains("fenced=0"));
    }

    @Test
    void aStoreThatIgnoresFencingTokensIsFlaggedWithStaleWrites() throws InterruptedException {
        ScenarioRow row = soak(target("broken/no-fencing", (store, client) -> new ForwardingBackend(client) {
            @Override
            public VersionedUpdate versionedUpdate() {
                return new ForwardingVersionedUpdate(delegate.versionedUpdate()) {
                    @Override
                    public Optional<Versioned> create(String key, byte[] value, long token) {
                        return delegate.create(key, value);
                    }

                    @Override
                    public Optional<Versioned> compareAndSet(String key, long expected, byte[] value, long token) {
                        return delegate.compareAndSet(key, expected, value);
                    }
                };
            }
        }));
        assertThat(row.violations()).anyMatch(v -> v.startsWith("V3: ") && v.contains("token below an earlier"));
    }

    @Test
    void aReleaseThatFreesWhoeverHoldsTheKeyIsFlaggedWithOverlaps() throws InterruptedException {
        ScenarioRow row = soak(target("broken/unconditional-release", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return new ForwardingJobLock(delegate.jobLock()) {
                    @Override
                    public Optional<Lease> tryAcquire(String key, Duration lease) {
                        return delegate.tryAcquire(key, lease).map(l -> deletesAnyHolder(store, l));
                    }

                    @Override
                    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                            throws InterruptedException {
                        return delegate.acquire(key, lease, maxWait).map(l -> deletesAnyHolder(store, l));
                    }
                };
            }
        }));
        assertThat(row.violations()).anyMatch(v -> v.startsWith("L1: ") && v.contains("began before another"));
        assertThat(row.overlaps()).isPositive();
    }

    @Test
    void tokensThatGoDownAreFlaggedOutOfOrder() throws InterruptedException {
        AtomicLong down = new AtomicLong(1_000_000_000L);
        ScenarioRow row = soak(target("broken/decreasing-tokens", (store, client) -> new ForwardingBackend(client) {
            @Override
            public JobLock jobLock() {
                return new ForwardingJobLock(delegate.jobLock()) {
                    @Override
                    public Optional<Lease> tryAcquire(String key, Duration lease) {
                        return delegate.tryAcquire(key, lease).map(l -> lower(l, down.decrementAndGet()));
                    }

                    @Override
                    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait)
                            throws InterruptedException {
                        return delegate.acquire(key, lease, maxWait).map(l -> lower(l, down.decrementAndGet()));
                    }
                };
            }
        }));
        assertThat(row.violations()).anyMatch(v -> v.startsWith("L2: ") && v.contains("not above one granted before"));
    }

    @Test
    void aWriteAppliedButReportedUnavailableIsFlaggedAsUnreported() throws InterruptedException {
        AtomicLong writes = new AtomicLong();
        ScenarioRow row =
                soak(target("broken/applied-but-unavailable", (store, client) -> new ForwardingBackend(client) {
                    @Override
                    public VersionedUpdate versionedUpdate() {
                        return new ForwardingVersionedUpdate(delegate.versionedUpdate()) {
                            @Override
                            public Optional<Versioned> compareAndSet(
                                    String key, long expected, byte[] value, long token) {
                                Optional<Versioned> written = delegate.compareAndSet(key, expected, value, token);
                                if (written.isPresent() && writes.incrementAndGet() % 5 == 0) {
                                    throw new BackendUnavailableException("applied, then reported unavailable");
                                }
                                return written;
                            }
                        };
                    }
                }));
        assertThat(row.violations())
                .anyMatch(v -> v.startsWith("V3/V4: ") && v.contains("although their writer was told they failed"));
    }

    /** A lease that shows {@code token} instead of its own (the store still fences with the real one's order). */
    private static Lease lower(Lease lease, long token) {
        return new ForwardingLease(lease) {
            @Override
            public long token() {
                return token;
            }
        };
    }

    /** DELETE FROM locks WHERE key = ?: whoever holds the key now is freed. */
    private static Lease deletesAnyHolder(MemStore store, Lease lease) {
        return new ForwardingLease(lease) {
            @Override
            public boolean release() {
                store.evict(key());
                delegate.release();
                return true;
            }
        };
    }
}
