package io.lockkit.tck.selftest;

import io.lockkit.Backend;
import io.lockkit.mem.MemBackend;
import io.lockkit.mem.MemStore;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The reference backend with one deliberate defect: every client of this target is a real {@link
 * MemBackend} wrapped by {@code defect}. Faults go to the real client underneath.
 */
final class BrokenTarget implements TckTarget, StoreFaults {
    private final String name;
    private final MemStore store = MemStore.create();
    private final BiFunction<MemStore, MemBackend, Backend> defect;
    private final Map<Backend, MemBackend> real = new ConcurrentHashMap<>();

    private final Consumer<MemStore> restart;
    private final Consumer<MemStore> crash;
    private final MemBackend.LeaseKind kind;
    /** The name a key's record has in the store, for {@link #holdKey}: the key itself unless the defect renames it. */
    private java.util.function.UnaryOperator<String> storedName = k -> k;

    private java.util.OptionalInt leasesPerClient = java.util.OptionalInt.empty();

    BrokenTarget(String name, BiFunction<MemStore, MemBackend, Backend> defect) {
        this(name, defect, MemStore::restart);
    }

    /** A target whose store restarts as {@code restart} says (the reference store's is durable). */
    BrokenTarget(String name, BiFunction<MemStore, MemBackend, Backend> defect, Consumer<MemStore> restart) {
        this(name, defect, restart, MemBackend.LeaseKind.TIMED);
    }

    /** A target whose clients take {@code kind} leases (the session path of the kit's tests). */
    BrokenTarget(
            String name,
            BiFunction<MemStore, MemBackend, Backend> defect,
            Consumer<MemStore> restart,
            MemBackend.LeaseKind kind) {
        this(name, defect, restart, restart, kind);
    }

    /**
     * A target whose store restarts as {@code restart} says and comes back from a kill as {@code
     * crash} says (by default as from a restart: a kill loses at least what a restart loses).
     */
    BrokenTarget(
            String name,
            BiFunction<MemStore, MemBackend, Backend> defect,
            Consumer<MemStore> restart,
            Consumer<MemStore> crash,
            MemBackend.LeaseKind kind) {
        this.name = name;
        this.defect = defect;
        this.restart = restart;
        this.crash = crash;
        this.kind = kind;
    }

    /** The defect bounds the leases one client holds at once to {@code n} ({@link #leasesPerClient()}). */
    BrokenTarget withLeasesPerClient(int n) {
        this.leasesPerClient = java.util.OptionalInt.of(n);
        return this;
    }

    @Override
    public java.util.OptionalInt leasesPerClient() {
        return leasesPerClient;
    }

    /** The defect stores a key's record under {@code storedName(key)}: {@link #holdKey} holds that one. */
    BrokenTarget storingKeysAs(java.util.function.UnaryOperator<String> storedName) {
        this.storedName = storedName;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Backend newClient() {
        MemBackend client = MemBackend.builder(store).leaseKind(kind).build();
        Backend broken = defect.apply(store, client);
        real.put(broken, client);
        return broken;
    }

    @Override
    public StoreFaults faults() {
        return this;
    }

    @Override
    public void expireSession(Backend client) {
        store.expireSession(real.get(client));
    }

    @Override
    public void killConnection(Backend client) {
        store.killConnection(real.get(client));
    }

    @Override
    public void crash(Backend client) {
        store.crash(real.get(client));
    }

    @Override
    public Set<Fault> supported() {
        return EnumSet.allOf(Fault.class);
    }

    @Override
    public Heal loseReplies(Backend client) {
        MemBackend mem = real.get(client);
        store.loseReplies(mem, true);
        return () -> store.loseReplies(mem, false);
    }

    @Override
    public Heal delayReplies(Backend client, Duration delay) {
        MemBackend mem = real.get(client);
        store.delayReplies(mem, delay);
        return () -> store.delayReplies(mem, Duration.ZERO);
    }

    @Override
    public HeldKey holdKey(String key) {
        Runnable free = store.holdRecord(storedName.apply(key));
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

    @Override
    public void restartStore() {
        restart.accept(store);
    }

    @Override
    public void crashStore() {
        crash.accept(store);
    }

    @Override
    public Backend unreachableClient() {
        return defect.apply(
                store,
                MemBackend.builder(MemStore.unreachable()).leaseKind(kind).build());
    }

    /** No address to point at: a store that takes every call and answers none for 500 ms. */
    @Override
    public Backend silentStoreClient(int port) {
        return defect.apply(
                store,
                MemBackend.builder(MemStore.unanswering(Duration.ofMillis(500)))
                        .leaseKind(kind)
                        .build());
    }
}
