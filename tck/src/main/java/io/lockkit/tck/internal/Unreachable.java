package io.lockkit.tck.internal;

import io.lockkit.Backend;
import io.lockkit.BackendUnavailableException;
import io.lockkit.tck.StoreFaults;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.harness.Keys;
import io.lockkit.tck.harness.Race;
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

/**
 * E2: on a client of a store that cannot be reached ({@link StoreFaults#unreachableClient()}) every
 * call MUST throw {@link BackendUnavailableException} within a bounded time: never an empty
 * Optional, never a lease, never "held by another". Each check returns its violations.
 */
public final class Unreachable {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private Unreachable() {}

    /** tryAcquire and acquire. */
    public static List<String> lockCalls(TckTarget target, Duration guard) throws InterruptedException {
        return check(target, guard, (client, key, calls) -> {
            calls.add("tryAcquire", () -> client.jobLock().tryAcquire(key, LEASE));
            calls.add(
                    "acquire with a maxWait of 1 s", () -> client.jobLock().acquire(key, LEASE, Duration.ofSeconds(1)));
            calls.add("acquire with a maxWait of 0", () -> client.jobLock().acquire(key, LEASE, Duration.ZERO));
        });
    }

    /** read, both creates, both compareAndSets and delete. */
    public static List<String> versionedCalls(TckTarget target, Duration guard) throws InterruptedException {
        return check(target, guard, (client, key, calls) -> {
            byte[] value = Keys.utf8("value");
            calls.add("read", () -> client.versionedUpdate().read(key));
            calls.add("create", () -> client.versionedUpdate().create(key, value));
            calls.add("fenced create", () -> client.versionedUpdate().create(key, value, 1));
            calls.add("compareAndSet", () -> client.versionedUpdate().compareAndSet(key, 1, value));
            calls.add("fenced compareAndSet", () -> client.versionedUpdate().compareAndSet(key, 1, value, 1));
            calls.add("delete", () -> client.versionedUpdate().delete(key, 1));
        });
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

    private static List<String> check(TckTarget target, Duration guard, Plan plan) throws InterruptedException {
        List<String> violations = new ArrayList<>();
        ExecutorService guardThread = Executors.newSingleThreadExecutor(Race.threads("lockkit-e2-guard"));
        try (Backend client = target.faults().unreachableClient()) {
            Calls calls = new Calls();
            plan.calls(client, Keys.fresh("e2-unreachable"), calls);
            for (int i = 0; i < calls.calls.size(); i++) {
                String problem = run(guardThread, calls.names.get(i), calls.calls.get(i), guard);
                if (problem != null) {
                    violations.add("E2: " + problem);
                }
            }
        } finally {
            guardThread.shutdownNow();
        }
        return violations;
    }

    private static @org.jspecify.annotations.Nullable String run(
            ExecutorService guardThread, String name, Callable<?> call, Duration guard) throws InterruptedException {
        Future<?> result = guardThread.submit(call);
        try {
            Object returned = result.get(guard.toNanos(), TimeUnit.NANOSECONDS);
            return name + " on an unreachable store returned " + returned
                    + "; it MUST throw BackendUnavailableException (never empty, never a lease)";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BackendUnavailableException) {
                return null;
            }
            return name + " on an unreachable store threw " + Traces.brief(cause == null ? e : cause)
                    + "; it MUST throw BackendUnavailableException";
        } catch (TimeoutException e) {
            result.cancel(true);
            return name + " on an unreachable store did not return within the guard deadline " + guard
                    + "; it MUST fail within a bounded, configurable time";
        }
    }
}
