package io.lockkit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.lockkit.Backend;
import io.lockkit.Lease;
import io.lockkit.shedlock.LockKitLockProvider;
import io.lockkit.spring.integration.LockKitLockRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.ApplicationContext;
import org.springframework.integration.support.locks.LockRegistry;

/** What every application of these tests checks on its context, whatever the backend kind. */
final class Checks {
    private Checks() {}

    /** The backend works, and ShedLock's provider, Spring Integration's registry and the health check use it. */
    static Backend everythingWiredTo(ApplicationContext context, String backendName) throws Exception {
        Backend backend = context.getBean(Backend.class);
        assertThat(backend.name()).startsWith(backendName);
        String key = "boot-" + UUID.randomUUID();
        Lease lease = backend.jobLock().tryAcquire(key, Duration.ofSeconds(30)).orElseThrow();
        assertThat(backend.jobLock().tryAcquire(key, Duration.ofSeconds(30))).isEmpty();
        assertThat(lease.release()).isTrue();

        LockProvider provider = context.getBean(LockProvider.class);
        assertThat(provider).isInstanceOf(LockKitLockProvider.class);
        SimpleLock shed = provider.lock(
                        new LockConfiguration(Instant.now(), key, Duration.ofSeconds(30), Duration.ZERO))
                .orElseThrow();
        assertThat(backend.jobLock().tryAcquire(key, Duration.ofSeconds(30)))
                .as("ShedLock's lock is held in the same store")
                .isEmpty();
        shed.unlock();

        LockRegistry registry = context.getBean(LockRegistry.class);
        assertThat(registry).isInstanceOf(LockKitLockRegistry.class);
        Lock lock = registry.obtain(key);
        assertThat(lock.tryLock()).isTrue();
        assertThat(backend.jobLock().tryAcquire(key, Duration.ofSeconds(30)))
                .as("Spring Integration's lock is held in the same store")
                .isEmpty();
        lock.unlock();

        LockKitHealthIndicator health = context.getBean("lockkitHealthIndicator", LockKitHealthIndicator.class);
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(health.health().getDetails()).containsEntry("backend", backend.name());
        return backend;
    }
}
