package io.lockkit.race.proc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The recorded history of a soak and its checker. It takes the {@link SoakLoop} lines of every
 * client (in any interleaving; times on {@link SoakLoop#now()}) and the faults the coordinator
 * injected, then checks, given the records as the store holds them at the end:
 *
 * <ul>
 *   <li><b>overlaps</b> (L1): no two critical sections of a key overlap in real time. A section runs
 *       from the grant's return to the earliest of the release's send time, the deadline its holder
 *       knew by the send-time rule, and the moment its lease was reported lost; a grant that came back
 *       after its own deadline (its holder was paused while the reply waited) is no section at all,
 *       since its lease was never valid to its holder. A section never
 *       ended runs to its deadline; on session leases, to its process's kill at the latest (a
 *       timed lease outlives its process). A fault marked as ending sessions on the server before
 *       the holder can know (PostgreSQL's session variants when the holder's connections are cut or
 *       the store restarts) ends the sections it meets at its start: from there the holder is a
 *       zombie, and what it writes is for the fencing check;
 *   <li><b>token order</b> (L2): a grant's token is greater than every token granted before its
 *       acquire was sent, for any key;
 *   <li><b>stale writes</b> (V3): in each record, the tokens of accepted writes never decrease;
 *   <li><b>lost writes</b> (V1, V4): every acknowledged write is in its key's record;
 *   <li><b>doubled writes</b> (V4): no write is in a record twice;
 *   <li><b>unreported writes</b> (V3, V4): every write in a record was reported acknowledged or
 *       unknown, never applied while reported as fenced out, unavailable or a conflict (only the one
 *       write a killed process had in flight may be in a record unreported).
 * </ul>
 *
 * Thread-safe.
 */
final class SoakHistory {
    /** Slack when comparing stamps of two processes; one clock, so only the stamping's own delay. */
    static final long TOLERANCE_NANOS = 1_000_000;

    /** A critical section as reported; {@code end} is {@code null} until its SE line came. */
    record Section(String key, long token, String writer, long sent, long start, long bound, @Nullable Long end) {
        String client() {
            return writer.substring(0, writer.indexOf('-'));
        }

        long endOr(long otherwise) {
            return end == null ? otherwise : end;
        }

        Section endingAt(long at) {
            return new Section(key, token, writer, sent, start, bound, at);
        }
    }

    /**
     * A fault the coordinator injected.
     *
     * @param kind such as {@code pause}, {@code kill}, {@code cut}
     * @param client the writer id of the client it hit ({@code c3}), or {@code store}
     * @param start when it began ({@link SoakLoop#now()})
     * @param end when it was healed (equal to start for an instant fault)
     * @param endsSessions whether the store ends the client's (or every) session at once, before the
     *     holder can know
     */
    record Fault(String kind, String client, long start, long end, boolean endsSessions) {}

    /** One pair of overlapping sections of a key. */
    record Overlap(Section earlier, Section later) {
        @Override
        public String toString() {
            return earlier.key() + ": token " + later.token() + " (" + later.writer() + ") began "
                    + (earlier.endOr(earlier.bound()) - later.start()) / 1_000 + " µs before token "
                    + earlier.token() + " (" + earlier.writer() + ") ended";
        }
    }

    /** What the checker found. */
    record Verdict(
            long sections,
            long acked,
            long entries,
            List<Overlap> overlaps,
            List<String> tokenOrder,
            List<String> stale,
            List<String> lost,
            List<String> doubled,
            List<String> unreported,
            long truncated) {
        boolean clean() {
            return Stream.of(tokenOrder, stale, lost, doubled, unreported).allMatch(List::isEmpty)
                    && overlaps.isEmpty();
        }
    }

    private final Map<String, Section> open = new HashMap<>();
    private final List<Section> sections = new ArrayList<>();
    private final Map<String, List<String>> acked = new HashMap<>();
    private final Set<String> unknown = new HashSet<>();
    private final List<Fault> faults = new ArrayList<>();
    private final Map<String, Long> kills = new HashMap<>();
    /** Each client's latest counts: a killed client's stay as it last reported them. */
    private final Map<String, Map<String, Long>> counts = new TreeMap<>();

    private final Set<String> done = new HashSet<>();
    private final List<String> malformed = new ArrayList<>();

    /** Takes one line of a client; lines that are not the soak's are ignored. */
    synchronized void accept(String line) {
        String[] a = line.split(" ");
        try {
            switch (a[0]) {
                case "SB" -> {
                    Section s = new Section(
                            a[1],
                            Long.parseLong(a[2]),
                            a[3],
                            Long.parseLong(a[4]),
                            Long.parseLong(a[5]),
                            Long.parseLong(a[6]),
                            null);
                    open.put(id(s.key(), s.token(), s.writer()), s);
                }
                case "SE" -> {
                    Section s = open.remove(id(a[1], Long.parseLong(a[2]), a[3]));
                    if (s == null) {
                        malformed.add(line);
                    } else {
                        sections.add(s.endingAt(Long.parseLong(a[4])));
                    }
                }
                case "SW" -> acked.computeIfAbsent(a[1], k -> new ArrayList<>()).add(entry(a[2], a[3], a[4]));
                case "SU" -> unknown.add(entry(a[2], a[3], a[4]));
                case "SOAKCOUNT", "SOAKDONE" -> {
                    Map<String, String> fields = new TreeMap<>(Protocol.fields(line));
                    String writer = fields.remove("writer");
                    Map<String, Long> latest = new TreeMap<>();
                    fields.forEach((k, v) -> latest.put(k, Long.parseLong(v)));
                    counts.put(writer, latest);
                    if (a[0].equals("SOAKDONE")) {
                        done.add(writer);
                    }
                }
                default -> {
                    // not a soak line
                }
            }
        } catch (RuntimeException e) {
            malformed.add(line);
        }
    }

    synchronized void fault(Fault fault) {
        faults.add(fault);
    }

    /** The client's process was killed at {@code at}: its open session-lease sections end there at the latest. */
    synchronized void killed(String client, long at) {
        kills.put(client, at);
    }

    /** The clients whose process the schedule killed. */
    synchronized Set<String> killedClients() {
        return Set.copyOf(kills.keySet());
    }

    synchronized List<Fault> faults() {
        return List.copyOf(faults);
    }

    /** The clients that reported {@code SOAKDONE}. */
    synchronized Set<String> finished() {
        return Set.copyOf(done);
    }

    /** The clients' counts as each last reported them ({@code SOAKCOUNT}, {@code SOAKDONE}), summed. */
    synchronized Map<String, Long> counts() {
        Map<String, Long> sum = new TreeMap<>();
        counts.values().forEach(c -> c.forEach((k, v) -> sum.merge(k, v, Long::sum)));
        return sum;
    }

    /** The time of the first grant, or empty before any. */
    synchronized OptionalLong firstGrant() {
        return Stream.concat(sections.stream(), open.values().stream())
                .mapToLong(Section::start)
                .min();
    }

    /** Grants in each second from {@code t0} on. */
    synchronized List<Long> grantsPerSecond(long t0) {
        List<Long> perSecond = new ArrayList<>();
        Stream.concat(sections.stream(), open.values().stream()).forEach(s -> {
            int second = (int) Math.max(0, (s.start() - t0) / 1_000_000_000L);
            while (perSecond.size() <= second) {
                perSecond.add(0L);
            }
            perSecond.set(second, perSecond.get(second) + 1);
        });
        return perSecond;
    }

    synchronized List<String> malformed() {
        return List.copyOf(malformed);
    }

    /**
     * Checks the history against the records as the store holds them now.
     *
     * @param records each lock key's record value ({@code token.writer.seq;…}), absent when none
     * @param sessionLeases whether leases live as long as the holder's session
     */
    synchronized Verdict check(Map<String, String> records, boolean sessionLeases) {
        List<Section> all = new ArrayList<>(sections);
        for (Section s : open.values()) {
            Long killedAt = sessionLeases ? kills.get(s.client()) : null;
            all.add(s.endingAt(killedAt == null ? s.bound() : Math.min(s.bound(), killedAt)));
        }
        long truncated = 0;
        List<Section> ended = new ArrayList<>();
        for (Section s : all) {
            long end = s.endOr(s.bound());
            for (Fault f : faults) {
                boolean hits = f.endsSessions()
                        && (f.client().equals("store") || f.client().equals(s.client()));
                // A grant whose reply slipped through just before the fault took hold is met too.
                if (hits && s.start() <= f.end() + TOLERANCE_NANOS && f.start() < end) {
                    end = Math.max(s.start(), Math.min(end, f.start()));
                }
            }
            if (end != s.endOr(s.bound())) {
                truncated++;
            }
            ended.add(s.endingAt(end));
        }
        List<Overlap> overlaps = overlaps(ended);
        List<String> tokenOrder = tokenOrder(ended);
        List<String> stale = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        List<String> doubled = new ArrayList<>();
        List<String> unreported = new ArrayList<>();
        Map<String, Long> lastReported = lastReportedSeq();
        Set<String> inFlightSeen = new HashSet<>();
        long entries = 0;
        long ackedCount = 0;
        Set<String> keys = new HashSet<>(records.keySet());
        keys.addAll(acked.keySet());
        for (String key : keys) {
            String record = records.getOrDefault(key, "");
            Set<String> seen = new HashSet<>();
            Set<String> ackedHere = new HashSet<>(acked.getOrDefault(key, List.of()));
            long highest = Long.MIN_VALUE;
            for (String entry : record.split(";")) {
                if (entry.isEmpty()) {
                    continue;
                }
                entries++;
                if (!seen.add(entry)) {
                    doubled.add(key + ": " + entry + " is in the record twice");
                }
                String[] parts = entry.split("\\.");
                long token = Long.parseLong(parts[0]);
                if (token < highest) {
                    stale.add(key + ": " + entry + " was accepted after a write with token " + highest);
                }
                highest = Math.max(highest, token);
                if (!ackedHere.contains(entry) && !unknown.contains(entry)) {
                    String writer = parts[1];
                    String client = writer.substring(0, writer.indexOf('-'));
                    boolean inFlightAtKill = kills.containsKey(client)
                            && Long.parseLong(parts[2]) > lastReported.getOrDefault(writer, 0L)
                            && inFlightSeen.add(writer);
                    if (!inFlightAtKill) {
                        unreported.add(key + ": " + entry + " is in the record, but its writer was told it failed");
                    }
                }
            }
            for (String entry : acked.getOrDefault(key, List.of())) {
                ackedCount++;
                if (!seen.contains(entry)) {
                    lost.add(key + ": acknowledged " + entry + " is not in the record");
                }
            }
        }
        return new Verdict(
                all.size(), ackedCount, entries, overlaps, tokenOrder, stale, lost, doubled, unreported, truncated);
    }

    /** Each writer's highest write sequence reported acknowledged or unknown. */
    private Map<String, Long> lastReportedSeq() {
        Map<String, Long> last = new HashMap<>();
        Stream.concat(acked.values().stream().flatMap(List::stream), unknown.stream())
                .forEach(entry -> {
                    String[] parts = entry.split("\\.");
                    last.merge(parts[1], Long.parseLong(parts[2]), Math::max);
                });
        return last;
    }

    /** Pairs of sections of one key where the later began before the earlier ended. */
    static List<Overlap> overlaps(List<Section> all) {
        Map<String, List<Section>> byKey = new HashMap<>();
        all.forEach(s -> byKey.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(s));
        List<Overlap> found = new ArrayList<>();
        for (List<Section> list : byKey.values()) {
            list.sort(Comparator.comparingLong(Section::start));
            Section longest = null;
            for (Section s : list) {
                if (s.endOr(s.bound()) <= s.start()) {
                    continue; // granted after its own deadline (the reply came late): never a critical section
                }
                if (longest != null && longest.endOr(longest.bound()) - s.start() > TOLERANCE_NANOS) {
                    found.add(new Overlap(longest, s));
                }
                if (longest == null || s.endOr(s.bound()) > longest.endOr(longest.bound())) {
                    longest = s;
                }
            }
        }
        return found;
    }

    /** Grants whose token is not above a token granted (returned) before their acquire was sent. */
    static List<String> tokenOrder(List<Section> all) {
        List<Section> byStart = new ArrayList<>(all);
        byStart.sort(Comparator.comparingLong(Section::start));
        List<Section> bySent = new ArrayList<>(all);
        bySent.sort(Comparator.comparingLong(Section::sent));
        List<String> found = new ArrayList<>();
        int i = 0;
        Section highest = null;
        for (Section s : bySent) {
            while (i < byStart.size() && byStart.get(i).start() < s.sent() - TOLERANCE_NANOS) {
                Section granted = byStart.get(i++);
                if (highest == null || granted.token() > highest.token()) {
                    highest = granted;
                }
            }
            if (highest != null && s.token() <= highest.token()) {
                found.add(s.key() + ": " + s.writer() + " was granted token " + s.token() + ", not above token "
                        + highest.token() + " granted to " + highest.writer() + " on " + highest.key()
                        + " before the acquire was sent");
            }
        }
        return found;
    }

    private static String id(String key, long token, String writer) {
        return key + " " + token + " " + writer;
    }

    private static String entry(String token, String writer, String seq) {
        return token + "." + writer + "." + seq;
    }
}
