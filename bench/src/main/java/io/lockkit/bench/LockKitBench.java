package io.lockkit.bench;

import io.lockkit.Backend;
import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.VersionedUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * lockkit itself, uncontended, one thread: {@code tryAcquire} + {@code release} of one key, and
 * {@code compareAndSet} on one value, per backend variant. Every call MUST succeed: a failed
 * acquire or a conflicting compare-and-set throws, so a broken backend fails the run instead of
 * timing the fast "no" path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LockKitBench {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

    @Param({
        "mem/timed",
        "postgresql/table",
        "postgresql/advisory",
        "postgresql/rowlock",
        "mariadb/table",
        "mariadb/advisory",
        "mariadb/rowlock",
        "redis",
        "zookeeper"
    })
    public String backend = "";

    private Backend client;
    private JobLock lock;
    private VersionedUpdate store;
    private String lockKey = "";
    private String valueKey = "";
    private long version;

    @Setup
    public void open() {
        client = Clients.lockkit(backend);
        lock = client.jobLock();
        store = client.versionedUpdate();
        lockKey = Clients.freshKey("lock");
        valueKey = Clients.freshKey("value");
        version = store.create(valueKey, VALUE)
                .orElseThrow(() -> new IllegalStateException(valueKey + " already exists"))
                .version();
    }

    @TearDown
    public void close() {
        client.close();
    }

    @Benchmark
    public boolean acquireRelease() {
        Lease lease = lock.tryAcquire(lockKey, LEASE)
                .orElseThrow(() -> new IllegalStateException(backend + ": uncontended tryAcquire lost"));
        if (!lease.release()) {
            throw new IllegalStateException(backend + ": release of the current lease returned false");
        }
        return true;
    }

    @Benchmark
    public long compareAndSet() {
        Versioned written = store.compareAndSet(valueKey, version, VALUE)
                .orElseThrow(() -> new IllegalStateException(backend + ": uncontended compareAndSet conflicted"));
        version = written.version();
        return version;
    }
}
