package io.lockkit.tck;

import io.lockkit.Backend;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;

/**
 * The reference backend as a TCK target: fresh clients of one private {@link MemStore}, faults
 * through the store. The TCK's positive control; thread-safe.
 */
public final class MemTarget implements TckTarget {
    private final MemStore store = MemStore.create();
    private final MemBackend.LeaseKind kind;

    public MemTarget(MemBackend.LeaseKind kind) {
        this.kind = kind;
    }

    @Override
    public String name() {
        return "mem/" + kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Backend newClient() {
        return MemBackend.builder(store).leaseKind(kind).build();
    }

    @Override
    public StoreFaults faults() {
        return new StoreFaults() {
            @Override
            public void expireSession(Backend client) {
                store.expireSession((MemBackend) client);
            }

            @Override
            public void killConnection(Backend client) {
                store.killConnection((MemBackend) client);
            }

            @Override
            public void crash(Backend client) {
                store.crash((MemBackend) client);
            }

            @Override
            public Backend unreachableClient() {
                return MemBackend.builder(MemStore.unreachable())
                        .leaseKind(kind)
                        .build();
            }
        };
    }
}
