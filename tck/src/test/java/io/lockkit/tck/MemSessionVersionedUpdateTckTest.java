package io.lockkit.tck;

import io.lockkit.mem.MemBackend;

/** The reference backend with {@code session} leases passes the VersionedUpdate TCK. */
class MemSessionVersionedUpdateTckTest extends VersionedUpdateTck {
    @Override
    protected TckTarget createTarget() {
        return new MemTarget(MemBackend.LeaseKind.SESSION);
    }
}
