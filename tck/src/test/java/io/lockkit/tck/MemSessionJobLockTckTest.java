package io.lockkit.tck;

import io.lockkit.mem.MemBackend;

/** The reference backend with {@code session} leases passes the JobLock TCK. */
class MemSessionJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new MemTarget(MemBackend.LeaseKind.SESSION);
    }
}
