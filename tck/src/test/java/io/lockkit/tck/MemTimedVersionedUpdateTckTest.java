package io.lockkit.tck;

import io.lockkit.mem.MemBackend;

/** The reference backend with {@code timed} leases passes the VersionedUpdate TCK. */
class MemTimedVersionedUpdateTckTest extends VersionedUpdateTck {
    @Override
    protected TckTarget createTarget() {
        return new MemTarget(MemBackend.LeaseKind.TIMED);
    }
}
