package io.lockkit.tck;

import io.lockkit.Backend;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

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
            public Set<Fault> supported() {
                return EnumSet.allOf(Fault.class);
            }

            @Override
            public Heal loseReplies(Backend client) {
                store.loseReplies((MemBackend) client, true);
                return () -> store.loseReplies((MemBackend) client, false);
            }

            @Override
            public Heal delayReplies(Backend client, Duration delay) {
                store.delayReplies((MemBackend) client, delay);
                return () -> store.delayReplies((MemBackend) client, Duration.ZERO);
            }

            @Override
            public HeldKey holdKey(String key) {
                Runnable free = store.holdRecord(key);
                return new HeldKey() {
                    @Override
                    public boolean awaitWaiter(Duration guard) throws InterruptedException {
                        return io.lockkit.tck.harness.Poll.until(guard, () -> store.recordWaiters() > 0);
                    }

                    @Override
                    public void close() {
                        free.run();
                    }
                };
            }

            /** The reference store restarts as a durable store does: sessions end, the rest stays. */
            @Override
            public void restartStore() {
                store.restart();
            }

            /** The reference store makes every grant durable before it answers: a kill is a restart. */
            @Override
            public void crashStore() {
                store.restart();
            }

            @Override
            public Backend unreachableClient() {
                return MemBackend.builder(MemStore.unreachable())
                        .leaseKind(kind)
                        .build();
            }

            /** No address to point at: a store that takes every call and answers none for 500 ms. */
            @Override
            public Backend silentStoreClient(int port) {
                return MemBackend.builder(MemStore.unanswering(Duration.ofMillis(500)))
                        .leaseKind(kind)
                        .build();
            }
        };
    }
}
