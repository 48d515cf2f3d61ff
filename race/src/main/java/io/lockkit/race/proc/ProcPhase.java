package io.lockkit.race.proc;

import io.lockkit.tck.TargetFactory;
import io.lockkit.tck.TckTarget;
import io.lockkit.tck.scenarios.ScenarioRow;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The multi-process phase of the race comparison for one backend: rows {@code P1xP} (exclusive
 * claim, smallest P only), {@code P2xP} (double execution) with P child JVMs × W workers, and the
 * fault rows {@code F1} (pause), {@code F2} (crash), {@code F3} (connection loss). Backends whose
 * store lives in the JVM get skipped rows with the reason. Every row is produced, as a failure when
 * the run itself broke; no child JVM outlives the phase.
 */
public final class ProcPhase {
    /** A fault the phase can put a holder JVM through. */
    public enum Fault {
        PAUSE("F1"),
        CRASH("F2"),
        CONNECTION("F3");

        private final String rowId;

        Fault(String rowId) {
            this.rowId = rowId;
        }

        /** The row id, such as {@code F1}. */
        public String rowId() {
            return rowId;
        }

        /** {@code pause}, {@code crash} or {@code connection}. */
        public static Fault parse(String name) {
            for (Fault f : values()) {
                if (f.name().toLowerCase(Locale.ROOT).equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown fault '" + name + "'; known: pause, crash, connection");
        }
    }

    /**
     * What to run.
     *
     * @param processes the JVM counts of the P rows, ascending; empty = no P rows
     * @param faults the F rows
     * @param workersPerProcess worker threads in each child JVM (25)
     * @param guard the deadline of one race or fault step; only a guard against a hang
     * @param wanted which row ids to run, such as {@code P2x4}
     */
    public record Plan(
            List<Integer> processes,
            Set<Fault> faults,
            int workersPerProcess,
            Duration guard,
            Predicate<String> wanted) {
        public Plan {
            List<Integer> sorted = new ArrayList<>(processes);
            Collections.sort(sorted);
            for (int p : sorted) {
                if (p < 1 || p > 64) {
                    throw new IllegalArgumentException("processes must be 1–64, was " + p);
                }
            }
            if (workersPerProcess < 1 || workersPerProcess > 500) {
                throw new IllegalArgumentException("workers per process must be 1–500, was " + workersPerProcess);
            }
            processes = List.copyOf(sorted);
            faults = faults.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(faults));
        }

        /** The row ids this plan runs, in order. */
        public List<String> rowIds() {
            List<String> ids = new ArrayList<>();
            if (!processes.isEmpty()) {
                ids.add("P1x" + processes.get(0));
            }
            processes.forEach(p -> ids.add("P2x" + p));
            for (Fault f : Fault.values()) {
                if (faults.contains(f)) {
                    ids.add(f.rowId());
                }
            }
            return ids.stream().filter(wanted).toList();
        }
    }

    /**
     * The soak: rows {@code S<P>} for each JVM count.
     *
     * @param duration how long each row's workers run
     * @param processes the JVM counts, ascending
     * @param workersPerProcess worker threads in each child JVM
     */
    public record SoakPlan(Duration duration, List<Integer> processes, int workersPerProcess) {
        public SoakPlan {
            if (duration.compareTo(Soak.LEASE.multipliedBy(3)) < 0) {
                throw new IllegalArgumentException(
                        "a soak must run at least " + Soak.LEASE.multipliedBy(3).toSeconds() + " s (three leases), was "
                                + duration.toMillis() + " ms");
            }
            List<Integer> sorted = new ArrayList<>(processes);
            Collections.sort(sorted);
            if (sorted.isEmpty() || sorted.get(0) < 1 || sorted.get(sorted.size() - 1) > 16) {
                throw new IllegalArgumentException("soak processes must be 1–16, were " + processes);
            }
            if (workersPerProcess < 1 || workersPerProcess > 64) {
                throw new IllegalArgumentException("soak workers per process must be 1–64, was " + workersPerProcess);
            }
            processes = List.copyOf(sorted);
        }

        @Override
        public String toString() {
            return duration.toMillis() + "ms × " + processes + " JVMs × " + workersPerProcess + " workers";
        }
    }

    private ProcPhase() {}

    /**
     * The soak rows of one race-comparison column: across child JVMs for store backends, in this JVM
     * (as many clients as JVMs) for peers and in-JVM backends. Every row is produced, as a failure
     * when the run itself broke.
     */
    public static List<ScenarioRow> soak(TargetFactory factory, SoakPlan plan, PrintStream progress)
            throws InterruptedException {
        List<ScenarioRow> rows = new ArrayList<>();
        for (int p : plan.processes()) {
            String id = Soak.rowId(p);
            String title = Soak.title(p, plan.workersPerProcess(), plan.duration());
            progress.printf("   soak %-4s %s on %s … %n", id, title, factory.name());
            try {
                ScenarioRow row;
                if (Store.unsupported(factory.name()).isEmpty()) {
                    boolean ensemble = factory.name().equals("zookeeper")
                            && io.lockkit.testkit.zookeeper.ZooKeeperTestServer.shared()
                                    .isEmbedded();
                    try (Store store = ensemble ? Store.zookeeperEnsemble() : Store.open(factory.name())) {
                        store.client();
                        row = Soak.processes(store, p, plan.workersPerProcess(), plan.duration(), progress);
                    }
                } else {
                    try (TckTarget target = factory.open()) {
                        row = Soak.inJvm(target, p, plan.workersPerProcess(), plan.duration(), Soak.LEASE);
                    }
                }
                rows.add(row);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                rows.add(aborted(id, title, factory.name(), e));
            }
            progress.println(rows.get(rows.size() - 1).describe());
        }
        return rows;
    }

    /** Runs the plan's rows against {@code backend} (a race-comparison column name); one row per id. */
    public static List<ScenarioRow> run(String backend, Plan plan, PrintStream progress) throws InterruptedException {
        List<String> ids = plan.rowIds();
        List<ScenarioRow> rows = new ArrayList<>();
        if (ids.isEmpty()) {
            return rows;
        }
        Optional<String> unsupported = Store.unsupported(backend);
        if (unsupported.isPresent()) {
            ids.forEach(id -> rows.add(RowFacts.skipped(id, title(id, plan), backend, unsupported.get())));
            return rows;
        }
        progress.println("== " + backend + " across processes: " + ids);
        try (Store store = Store.open(backend)) {
            store.client();
            try (FaultRows faults = new FaultRows(store, progress, plan.guard())) {
                // One phase after the other: sixteen JVMs starting at once on a loaded two-core host
                // missed the store's connect timeouts. The fault rows' children still start together.
                races(store, plan, ids, rows, progress);
                faults.launch(ids.contains("F1"), ids.contains("F2"), ids.contains("F3"));
                faults(faults, store, plan, ids, rows, progress);
            }
        } catch (java.io.IOException | RuntimeException e) {
            ids.stream()
                    .filter(id -> rows.stream().noneMatch(r -> r.scenario().equals(id)))
                    .forEach(id -> rows.add(aborted(id, title(id, plan), backend, e)));
        }
        rows.forEach(r -> progress.println(r.describe()));
        return rows;
    }

    private static void races(Store store, Plan plan, List<String> ids, List<ScenarioRow> rows, PrintStream progress)
            throws InterruptedException {
        int most = plan.processes().stream()
                .filter(p -> ids.contains("P2x" + p) || ids.contains("P1x" + p))
                .mapToInt(Integer::intValue)
                .max()
                .orElse(0);
        if (most == 0) {
            return;
        }
        int w = plan.workersPerProcess();
        try (Children children = Children.start(
                "p",
                most,
                i -> store.uri(),
                store.childOptions(false),
                progress,
                System.nanoTime() + plan.guard().toNanos())) {
            for (String id : ids) {
                if (!id.startsWith("P")) {
                    continue;
                }
                int p = Integer.parseInt(id.substring(3));
                List<Child> some = children.list().subList(0, p);
                progress.printf("   row %-5s %s … %n", id, title(id, plan));
                rows.add(
                        id.startsWith("P1")
                                ? ProcessRaces.exclusiveClaim(store, some, w, plan.guard())
                                : ProcessRaces.doubleExecution(store, some, w, plan.guard()));
            }
        } catch (java.io.IOException | RuntimeException e) {
            ids.stream()
                    .filter(id -> id.startsWith("P"))
                    .filter(id -> rows.stream().noneMatch(r -> r.scenario().equals(id)))
                    .forEach(id -> rows.add(aborted(id, title(id, plan), store.name(), e)));
        }
    }

    private static void faults(
            FaultRows faults, Store store, Plan plan, List<String> ids, List<ScenarioRow> rows, PrintStream progress)
            throws InterruptedException {
        for (String id : ids) {
            if (!id.startsWith("F")) {
                continue;
            }
            progress.printf("   row %-5s %s … %n", id, title(id, plan));
            try {
                rows.add(
                        switch (id) {
                            case "F1" -> faults.pause();
                            case "F2" -> faults.crash();
                            default -> faults.connectionLoss();
                        });
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                rows.add(aborted(id, title(id, plan), store.name(), e));
            }
        }
    }

    /** The row's title before it ran. */
    static String title(String id, Plan plan) {
        if (id.startsWith("P")) {
            return (id.startsWith("P1") ? "Exclusive claim, " : "Double execution, ") + id.substring(3) + " JVMs × "
                    + plan.workersPerProcess();
        }
        return switch (id) {
            case "F1" -> "Paused holder (SIGSTOP), 2 JVMs";
            case "F2" -> "Crashed holder (SIGKILL), 2 JVMs";
            default -> "Holder's connections cut (TCP proxy), 4 JVMs";
        };
    }

    private static ScenarioRow aborted(String id, String title, String backend, Throwable e) {
        RowFacts row = new RowFacts(id, title, backend);
        row.uncaught = 1;
        row.requireOfRow(false, "aborted by an exception: %s", Protocol.oneLine(e));
        return row.build();
    }
}
