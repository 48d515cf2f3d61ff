package io.lockkit.race.proc;

import io.lockkit.Lease;
import io.lockkit.Versioned;
import io.lockkit.tck.Rule;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Scenarios 1 and 2 with their workers spread over child JVMs ({@code P1xP}, {@code P2xP}): every
 * child arms its threads, the coordinator sends GO to all (the cross-process barrier), and once
 * every thread of every child made its first attempt it sends ALLTRIED, which lets the winner end
 * its side effect, as the TCK's single-JVM scenarios do. Counts are summed over the children; a
 * child that dies or does not report is a violation, never a silent pass.
 */
final class ProcessRaces {
    private ProcessRaces() {}

    /** Scenario 2 across {@code children}, {@code perChild} workers each. */
    static io.lockkit.tck.scenarios.ScenarioRow doubleExecution(
            Store store, List<Child> children, int perChild, Duration guard) throws InterruptedException {
        int p = children.size();
        RowFacts row = new RowFacts("P2x" + p, "Double execution, " + p + " JVMs × " + perChild, store.name());
        int n = p * perChild;
        row.workers = n;
        String run = UUID.randomUUID().toString().substring(0, 8);
        String lockKey = "p2-lock-" + run;
        String entity = "p2-entity-" + run;
        Optional<Versioned> created =
                store.client().versionedUpdate().create(entity, "PENDING".getBytes(StandardCharsets.UTF_8));
        if (!row.require(created.isPresent(), Rule.V1, "create of a fresh entity key returned empty")) {
            return row.build();
        }
        long deadline = System.nanoTime() + guard.toNanos();
        Map<String, Long> sums = new HashMap<>();
        List<long[]> sections = new ArrayList<>();
        int reported = run(
                children,
                "P2 " + lockKey + " " + entity + " " + perChild + " " + guard.toMillis() + " " + guard.toMillis(),
                deadline,
                sums,
                sections,
                row);
        long executed = sum(sums, "executed", "lockedThenExecuted", "rejected", "fenced");
        long told = sum(sums, "blocked", "lockedThenBlocked");
        row.winners = executed;
        row.sideEffects = sums.getOrDefault("sideEffects", 0L);
        row.require(
                reported == p,
                List.of(Rule.L1, Rule.V1),
                "%d of %d child JVMs did not report: their side effects are unknown",
                p - reported,
                p);
        row.require(
                row.sideEffects == 1,
                List.of(Rule.L1, Rule.V1),
                "the side effect MUST run exactly once across the %d JVMs, it ran %d times",
                p,
                row.sideEffects);
        long gaveUp = sums.getOrDefault("gaveUp", 0L);
        row.require(gaveUp == 0, Rule.L7, "%d losers waited the whole guard deadline and never got the lock", gaveUp);
        long rejected = sums.getOrDefault("rejected", 0L);
        row.require(
                rejected == 0, Rule.L1, "%d holders saw the entity unchanged, yet their write was rejected", rejected);
        long fenced = sums.getOrDefault("fenced", 0L);
        row.require(fenced == 0, Rule.L1, "%d holders ran the side effect and were then fenced out", fenced);
        row.require(
                executed + told == n,
                Rule.L6,
                "every loser must be told locked or blocked: %d executed, %d told, %d of %d workers neither",
                executed,
                told,
                n - executed - told,
                n);
        Optional<Versioned> stored = store.client().versionedUpdate().read(entity);
        row.require(
                stored.isPresent() && stored.get().valueAsString().startsWith("DONE"),
                Rule.V1,
                "the entity must end DONE, was %s",
                stored.map(Versioned::valueAsString).orElse("absent"));
        row.note(
                "%d told locked first, %d blocked by the fresh re-read",
                sum(sums, "lockedThenBlocked", "lockedThenExecuted"), told);
        overlaps(row, sections, lockKey, sums.getOrDefault("clockGapMax", 0L));
        return row.build();
    }

    /** Scenario 1 across {@code children}: exactly one of all workers wins. */
    static io.lockkit.tck.scenarios.ScenarioRow exclusiveClaim(
            Store store, List<Child> children, int perChild, Duration guard) throws InterruptedException {
        int p = children.size();
        RowFacts row = new RowFacts("P1x" + p, "Exclusive claim, " + p + " JVMs × " + perChild, store.name());
        int n = p * perChild;
        row.workers = n;
        String key = "p1-claim-" + UUID.randomUUID().toString().substring(0, 8);
        long deadline = System.nanoTime() + guard.toNanos();
        Map<String, Long> sums = new HashMap<>();
        List<long[]> sections = new ArrayList<>();
        int reported = run(
                children,
                "P1 " + key + " " + perChild + " " + guard.toMillis() + " " + guard.toMillis(),
                deadline,
                sums,
                sections,
                row);
        long won = sum(sums, "won", "releaseFalse");
        long empty = sums.getOrDefault("empty", 0L);
        row.winners = won;
        row.require(
                reported == p,
                Rule.L1,
                "%d of %d child JVMs did not report: their claims are unknown",
                p - reported,
                p);
        row.require(won == 1, Rule.L1, "exactly 1 of %d workers in %d JVMs must win the claim, %d won", n, p, won);
        row.require(empty == n - 1, Rule.L6, "the %d losers must each get an empty Optional, %d did", n - 1, empty);
        row.require(
                sums.getOrDefault("releaseFalse", 0L) == 0,
                Rule.L3,
                "the winner's release() of its current lease returned false");
        Optional<Lease> after = store.client().jobLock().tryAcquire(key, Duration.ofSeconds(5));
        row.require(
                after.isPresent(),
                Rule.L3,
                "after the winner released, the key must be free, but tryAcquire was empty");
        after.ifPresent(Lease::release);
        overlaps(row, sections, key, sums.getOrDefault("clockGapMax", 0L));
        return row.build();
    }

    /**
     * Sends the race command, the barrier and ALLTRIED, then collects every child's SECTION and
     * RESULT lines; returns how many children reported. Failures become violations.
     */
    private static int run(
            List<Child> children,
            String command,
            long deadline,
            Map<String, Long> sums,
            List<long[]> sections,
            RowFacts row)
            throws InterruptedException {
        int reported = 0;
        java.util.Set<Child> failed = new java.util.HashSet<>();
        children.forEach(c -> c.send(command));
        expectEach(children, Protocol.ARMED, deadline, failed, row);
        children.forEach(c -> c.send(Protocol.GO));
        expectEach(children, Protocol.TRIED, deadline, failed, row);
        children.forEach(c -> c.send(Protocol.ALL_TRIED));
        for (Child c : children) {
            if (failed.contains(c)) {
                continue;
            }
            try {
                for (String line : c.until("RESULT", deadline)) {
                    if (line.startsWith("SECTION ")) {
                        String[] s = line.split(" ");
                        sections.add(new long[] {Long.parseLong(s[1]), Long.parseLong(s[2])});
                    } else if (line.startsWith("RESULT ")) {
                        reported++;
                        Map<String, String> f = Protocol.fields(line);
                        sums.merge("clockGapMax", Long.parseLong(f.getOrDefault("clockGapNanos", "0")), Math::max);
                        f.forEach((k, v) -> {
                            if (!k.equals("clockGapNanos") && v.matches("\\d+")) {
                                sums.merge(k, Long.parseLong(v), Long::sum);
                            }
                        });
                        String error = f.get("error");
                        if (error != null) {
                            row.note("%s: first exception: %s", c.name(), error.replace('_', ' '));
                        }
                    }
                }
            } catch (Child.ChildFailure e) {
                row.uncaught++;
                row.violation(Rule.L6, "%s", e.getMessage());
            }
        }
        long uncaught = sums.getOrDefault("uncaught", 0L);
        long hung = sums.getOrDefault("hung", 0L);
        row.uncaught += uncaught;
        row.require(uncaught == 0, Rule.L6, "%d workers threw instead of returning an outcome", uncaught);
        row.require(hung == 0, Rule.L7, "%d workers were still running at the guard deadline", hung);
        return reported;
    }

    private static void expectEach(
            List<Child> children, String prefix, long deadline, java.util.Set<Child> failed, RowFacts row)
            throws InterruptedException {
        for (Child c : children) {
            if (failed.contains(c)) {
                continue;
            }
            try {
                c.expect(prefix, deadline);
            } catch (Child.ChildFailure e) {
                failed.add(c);
                row.uncaught++;
                row.violation(Rule.L6, "%s", e.getMessage());
            }
        }
    }

    /**
     * Overlapping critical sections of one key, from the children's wall-clock section bounds
     * (start = acquire returned, end = release called or the deadline bound): every JVM of one host
     * reads the same clock, each JVM's base reading uncertain by up to {@code clockGap}; an overlap
     * counts only when it is longer than twice that.
     */
    private static void overlaps(RowFacts row, List<long[]> sections, String key, long clockGap) {
        sections.sort(Comparator.comparingLong(s -> s[0]));
        long[] longest = null;
        List<String> found = new ArrayList<>();
        for (long[] s : sections) {
            if (longest != null && longest[1] - s[0] > 2 * clockGap) {
                found.add(String.format(
                        "a section held %.3f ms began %.3f ms before the earlier one ended",
                        (s[1] - s[0]) / 1e6, (longest[1] - s[0]) / 1e6));
            }
            if (longest == null || s[1] > longest[1]) {
                longest = s;
            }
        }
        row.overlaps = found.size();
        row.require(
                found.isEmpty(),
                Rule.L1,
                "%d critical section(s) of '%s' began in one JVM while another JVM's section had not ended; the first:"
                        + " %s",
                found.size(),
                key,
                String.join("; ", found.subList(0, Math.min(3, found.size()))));
        row.note(
                "%d critical sections recorded across the JVMs (wall clock of one host, ±%.3f ms)",
                sections.size(), clockGap / 1e6);
    }

    private static long sum(Map<String, Long> sums, String... names) {
        long total = 0;
        for (String name : names) {
            total += sums.getOrDefault(name, 0L);
        }
        return total;
    }
}
