package io.lockkit.tck;

import io.lockkit.mem.MemBackend;

/** The reference backend with {@code timed} leases passes the JobLock TCK. */
class MemTimedJobLockTckTest extends JobLockTck {
    @Override
    protected TckTarget createTarget() {
        return new MemTarget(MemBackend.LeaseKind.TIMED);
    }
}
