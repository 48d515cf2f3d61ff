package io.lockkit.mem;

import io.lockkit.JobLock;
import io.lockkit.Lease;
import io.lockkit.LeaseLimits;
import io.lockkit.spi.Checks;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** {@link JobLock} over a {@link MemStore}; waiting is woken by one release signal per release (L7). */
final class MemJobLock implements JobLock {
    private final MemBackend client;

    MemJobLock(MemBackend client) {
        this.client = client;
    }

    @Override
    public LeaseLimits leaseLimits() {
        return client.leaseLimits();
    }

    @Override
    public Optional<Lease> tryAcquire(String key, Duration lease) {
        Checks.key(key);
        leaseLimits().check(lease);
        return lease(key, lease, client.store().tryAcquire(client, key, lease.toNanos()));
    }

    @Override
    public Optional<Lease> acquire(String key, Duration lease, Duration maxWait) throws InterruptedException {
        Checks.key(key);
        leaseLimits().check(lease);
        Checks.maxWait(maxWait);
        return lease(key, lease, client.store().acquire(client, key, lease.toNanos(), Checks.saturatedNanos(maxWait)));
    }

    private Optional<Lease> lease(String key, Duration lease, MemStore.@Nullable Grant grant) {
        if (grant == null) {
            return Optional.empty();
        }
        MemLease granted = new MemLease(client, key, grant, lease);
        client.track(granted);
        try {
            return client.reply(Optional.of(granted), false);
        } catch (RuntimeException lost) {
            if (client.isSessionKind()) {
                granted.dropped(); // a session lease lives on the connection the client now gives up
            }
            throw lost;
        }
    }
}
