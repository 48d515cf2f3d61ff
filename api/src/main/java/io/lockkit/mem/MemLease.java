package io.lockkit.mem;

import io.lockkit.spi.AbstractLease;
import java.time.Duration;

/** A lease in a {@link MemStore}, owner-checked by a store-wide owner id. Thread-safe. */
final class MemLease extends AbstractLease {
    private final MemBackend client;
    private final long owner;

    MemLease(MemBackend client, String key, MemStore.Grant grant, Duration lease) {
        // One process, one clock: the store's grant time is the exact start of the lease.
        super(
                key,
                grant.token(),
                client.store().ticker(),
                grant.grantedAt(),
                lease,
                client.driftMargin(),
                client.leaseLimits());
        this.client = client;
        this.owner = grant.owner();
    }

    @Override
    protected boolean doExtend(Duration lease) {
        return client.reply(client.store().extend(client, key(), owner, lease.toNanos()), false);
    }

    @Override
    protected boolean doRelease() {
        client.untrack(this);
        return client.reply(client.store().release(client, key(), owner), false);
    }

    /** Frees the key in the store without a reply: the connection that carried the grant is gone. */
    void dropped() {
        client.untrack(this);
        client.store().release(client, key(), owner);
    }

    void sessionEnded() {
        markLost();
    }
}
