package io.lockkit.postgresql;

import io.lockkit.spi.AbstractLease;
import java.time.Duration;

/**
 * A timed lease in the lock table, owned by its token: release and extend touch the row only while
 * it still carries this token (L3), so a zombie can never free or extend its successor's lease.
 * Thread-safe.
 */
final class TableLease extends AbstractLease {
    private final TableJobLock lock;
    private final byte[] storedKey;

    TableLease(
            TableJobLock lock, String key, byte[] storedKey, long token, long sent, Duration lease, Duration margin) {
        super(key, token, lock.backend.ticker(), sent, lease, margin, lock.leaseLimits());
        this.lock = lock;
        this.storedKey = storedKey;
    }

    @Override
    protected boolean doExtend(Duration lease) {
        return lock.extend(storedKey, token(), lease);
    }

    @Override
    protected boolean doRelease() {
        return lock.release(storedKey, token());
    }
}
