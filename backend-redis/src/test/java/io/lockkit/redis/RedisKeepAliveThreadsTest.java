package io.lockkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisFuture;
import io.lockkit.KeepAlive;
import io.lockkit.Lease;
import io.lockkit.internal.LeaseTimer;
import io.lockkit.testkit.redis.RedisAdmin;
import io.lockkit.testkit.redis.RedisTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Threads while the store stalls: 300 keep-alives during a 3 s server sleep once grew the JVM's
 * threads from 135 to 318, one blocked extend per thread. lockkit's lease threads are now bounded
 * ({@link LeaseTimer#EXTEND_THREADS} extend threads, {@link LeaseTimer#LISTENER_THREADS} listener
 * threads, one timer); the Redis backend adds none of its own: its calls are Redisson's
 * asynchronous ones, completed on Redisson's fixed pool ({@code Config.threads}).
 */
@DisplayName("Redis keep-alives while the server sleeps")
class RedisKeepAliveThreadsTest {
    private static final int KEEP_ALIVES = 300;
    private static final int SLEEP_SECONDS = 3;
    private static final Set<String> LEASE_THREADS =
            Set.of("lockkit-keepalive", "lockkit-lease-listener", "lockkit-lease-timer");
    private static final int BOUND = LeaseTimer.EXTEND_THREADS + LeaseTimer.LISTENER_THREADS + 1;

    @Test
    @DisplayName("300 keep-alives on a sleeping server use at most the documented lease threads")
    void keepAlivesOnASleepingServerUseBoundedThreads() throws Exception {
        RedisTestServer redis = RedisTestServer.get();
        assumeTrue(
                redis.isEmbedded(),
                "skipped: puts to sleep the server, which " + RedisTestServer.URL_ENV + " may share");
        String prefix = RedisTestServer.freshPrefix();
        var redisson = redis.newRedisson(RedisTestServer.newClientName());
        // Redisson's own pool runs reply callbacks: fixed at Config.threads, however many calls wait.
        int redissonThreads = redisson.getConfig().getThreads();
        try (RedisBackend c = RedisBackend.builder(redisson)
                        .prefix(prefix)
                        .shutdownClientOnClose(true)
                        .build();
                RedisAdmin admin = redis.admin()) {
            List<Lease> leases = new ArrayList<>();
            List<KeepAlive> keepAlives = new ArrayList<>();
            try {
                for (int i = 0; i < KEEP_ALIVES; i++) {
                    leases.add(c.jobLock()
                            .tryAcquire("k" + i, Duration.ofSeconds(30))
                            .orElseThrow());
                }
                int before = Thread.getAllStackTraces().size();
                java.util.Map<String, Integer> namesBefore = names();
                for (Lease lease : leases) {
                    keepAlives.add(KeepAlive.start(lease, Duration.ofSeconds(30), Duration.ofMillis(100)));
                }
                RedisFuture<String> awake = admin.sleepServer(SLEEP_SECONDS);
                int mostLease = 0;
                int mostAll = 0;
                java.util.Map<String, Integer> namesAtMost = namesBefore;
                long until =
                        System.nanoTime() + Duration.ofSeconds(SLEEP_SECONDS).toNanos();
                while (System.nanoTime() - until < 0) { // sampling for the length of the sleep
                    mostLease = Math.max(mostLease, leaseThreads());
                    int all = Thread.getAllStackTraces().size();
                    if (all > mostAll) {
                        mostAll = all;
                        namesAtMost = names();
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
                }
                awake.get(); // the server is awake
                System.out.println("[measure] " + KEEP_ALIVES + " keep-alives, server asleep " + SLEEP_SECONDS
                        + " s: JVM threads " + before + " before, at most " + mostAll + " during; lockkit lease"
                        + " threads at most " + mostLease + " (bound " + BOUND + "); by name before " + namesBefore
                        + ", at the most " + namesAtMost);
                assertThat(mostLease)
                        .as("lockkit's lease threads while the server sleeps")
                        .isLessThanOrEqualTo(BOUND);
                assertThat(mostAll - before)
                        .as(
                                "threads added while %d keep-alives waited on a sleeping server: lockkit's lease"
                                        + " threads and Redisson's fixed pool of %d",
                                KEEP_ALIVES, redissonThreads)
                        .isLessThanOrEqualTo(BOUND + redissonThreads);
            } finally {
                keepAlives.forEach(KeepAlive::close);
                leases.forEach(lease -> {
                    try {
                        lease.release();
                    } catch (RuntimeException e) {
                        // expired during the sleep: nothing to free
                    }
                });
            }
        }
    }

    /** Live threads by name, digits dropped. */
    private static java.util.Map<String, Integer> names() {
        java.util.Map<String, Integer> n = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            n.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
        }
        return n;
    }

    private static int leaseThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && LEASE_THREADS.contains(t.getName())) {
                n++;
            }
        }
        return n;
    }
}
