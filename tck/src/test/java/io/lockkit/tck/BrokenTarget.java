package io.lockkit.tck;

import io.lockkit.Backend;

/** A {@link BrokenStore} as a TCK target: timed leases, so the session faults change nothing. */
final class BrokenTarget implements TckTarget {
    private final BrokenStore store;

    BrokenTarget(BrokenStore.Flaw flaw) {
        this.store = new BrokenStore(flaw);
    }

    @Override
    public String name() {
        return "broken/" + store.flaw.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public Backend newClient() {
        return new BrokenBackend(store, false);
    }

    @Override
    public StoreFaults faults() {
        return new StoreFaults() {
            @Override
            public void expireSession(Backend client) {}

            @Override
            public void killConnection(Backend client) {}

            @Override
            public void crash(Backend client) {
                ((BrokenBackend) client).crash();
            }

            @Override
            public Backend unreachableClient() {
                return new BrokenBackend(store, true);
            }
        };
    }
}
