package io.lockkit.tck.internal;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Race;
import io.lockkit.tck.harness.SilentStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * E2: on a client of a store that cannot be reached every call MUST throw {@link
 * BackendUnavailableException} within a bounded time: never an empty Optional, never a lease, never
 * "held by another". Two such stores: an address where nothing listens ({@link
 * StoreFaults#unreachableClient()}), where a connect fails at once, and a listener that accepts
 * connections and never answers ({@link StoreFaults#silentStoreClient}, {@link SilentStore}), where
 * only the client's bound on its wait for an answer ends the call. Each check returns its violations.
 */
public final class Unreachable {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String HUNG = "did not return within the guard deadline";

    private Unreachable() {}

    /** tryAcquire and acquire, on a client of an address where nothing listens. */
    public static List<String> lockCalls(TckTarget target, Duration guard) throws InterruptedException {
        return check(target.faults()::unreachableClient, "an unreachable store", guard, Unreachable::lockPlan);
    }

    /** tryAcquire and acquire, on a client of a store that accepts connections and never answers. */
    public static List<String> silentLockCalls(TckTarget target, Duration guard) throws InterruptedException {
        return silent(target, guard, Unreachable::lockPlan);
    }

    /** read, both creates, both compareAndSets and delete, on a client of an address where nothing listens. */
    public static List<String> versionedCalls(TckTarget target, Duration guard) throws InterruptedException {
        return check(target.faults()::unreachableClient, "an unreachable store", guard, Unreachable::versionedPlan);
    }

    /** The same on a client of a store that accepts connections and never answers. */
    public static List<String> silentVersionedCalls(TckTarget target, Duration guard) throws InterruptedException {
        return silent(target, guard, Unreachable::versionedPlan);
    }

    /** {@code plan} on a client of a {@link SilentStore} of its own. */
    private static List<String> silent(TckTarget target, Duration guard, Plan plan) throws InterruptedException {
        try (SilentStore silent = SilentStore.open()) {
            return check(
                    () -> target.faults().silentStoreClient(silent.port()), "a store that never answers", guard, plan);
        }
    }

    private static void lockPlan(Backend client, String key, Calls calls) {
        calls.add("tryAcquire", () -> client.jobLock().tryAcquire(key, LEASE));
        calls.add("acquire with a maxWait of 1 s", () -> client.jobLock().acquire(key, LEASE, Duration.ofSeconds(1)));
        calls.add("acquire with a maxWait of 0", () -> client.jobLock().acquire(key, LEASE, Duration.ZERO));
    }

    private static void versionedPlan(Backend client, String key, Calls calls) {
        byte[] value = Keys.utf8("value");
        calls.add("read", () -> client.versionedUpdate().read(key));
        calls.add("create", () -> client.versionedUpdate().create(key, value));
        calls.add("fenced create", () -> client.versionedUpdate().create(key, value, 1));
        calls.add("compareAndSet", () -> client.versionedUpdate().compareAndSet(key, 1, value));
        calls.add("fenced compareAndSet", () -> client.versionedUpdate().compareAndSet(key, 1, value, 1));
        calls.add("delete", () -> client.versionedUpdate().delete(key, 1));
    }

    private interface Plan {
        void calls(Backend client, String key, Calls calls);
    }

    /** Named calls, run one by one on a guard thread. */
    private static final class Calls {
        private final List<String> names = new ArrayList<>();
        private final List<Callable<?>> calls = new ArrayList<>();

        void add(String name, Callable<?> call) {
            names.add(name);
            calls.add(call);
        }
    }

    private static List<String> check(Supplier<Backend> clients, String where, Duration guard, Plan plan)
            throws InterruptedException {
        List<String> violations = new ArrayList<>();
        ExecutorService guardThread = Executors.newSingleThreadExecutor(Race.threads("lockkit-e2-guard"));
        try {
            // Opened under the guard too: a backend may talk to its store while it is built, and a
            // BackendUnavailableException from there already says what E2 asks of every call.
            Future<Backend> opening = guardThread.submit(clients::get);
            Backend opened;
            try {
                opened = opening.get(guard.toNanos(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof BackendUnavailableException)) {
                    violations.add("E2: opening a client of " + where + " threw "
                            + Traces.brief(e.getCause() == null ? e : e.getCause())
                            + "; it MUST throw BackendUnavailableException or open");
                }
                return violations;
            } catch (TimeoutException e) {
                opening.cancel(true);
                violations.add("E2: opening a client of " + where + " " + HUNG + " " + guard);
                return violations;
            }
            check(opened, where, guard, plan, guardThread, violations);
        } finally {
            guardThread.shutdownNow();
        }
        return violations;
    }

    private static void check(
            Backend opened,
            String where,
            Duration guard,
            Plan plan,
            ExecutorService guardThread,
            List<String> violations)
            throws InterruptedException {
        try (Backend client = opened) {
            Calls calls = new Calls();
            plan.calls(client, Keys.fresh("e2-unreachable"), calls);
            for (int i = 0; i < calls.calls.size(); i++) {
                String problem = run(guardThread, calls.names.get(i) + " on " + where, calls.calls.get(i), guard);
                if (problem != null) {
                    violations.add("E2: " + problem);
                    if (problem.contains(HUNG)) {
                        break; // the guard thread is still inside that call; the others would queue behind it
                    }
                }
            }
        }
    }

    private static @org.jspecify.annotations.Nullable String run(
            ExecutorService guardThread, String name, Callable<?> call, Duration guard) throws InterruptedException {
        Future<?> result = guardThread.submit(call);
        try {
            Object returned = result.get(guard.toNanos(), TimeUnit.NANOSECONDS);
            return name + " returned " + returned
                    + "; it MUST throw BackendUnavailableException (never empty, never a lease)";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BackendUnavailableException) {
                return null;
            }
            return name + " threw " + Traces.brief(cause == null ? e : cause)
                    + "; it MUST throw BackendUnavailableException";
        } catch (TimeoutException e) {
            result.cancel(true);
            return name + " " + HUNG + " " + guard + "; it MUST fail within a bounded, configurable time";
        }
    }
}
