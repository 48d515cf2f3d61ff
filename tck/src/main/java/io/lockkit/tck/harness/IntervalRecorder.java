package io.lockkit.tck.harness;

import io.lockkit.Lease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Records critical sections per key and finds the ones that overlap (L1). Thread-safe; times are
 * {@link System#nanoTime()} of this JVM.
 *
 * <p>A section starts when acquire <em>returned</em> and ends at the earliest of: the moment
 * {@code release()} was called, the moment {@code isValid()} was seen false, and the lease's
 * deadline bound. A {@link Lease} does not expose its deadline, so the bound is taken from the
 * worker's side: {@code sent + lease}, where {@code sent} is read <em>before</em> the acquire (or
 * extend) call. That bound is safe: the store receives the request after {@code sent} and keeps the
 * lease for at least {@code lease} from then, so in a correct backend no other acquire returns
 * before {@code sent + lease}; and it returns only after the store processed a release that was
 * called before. Hence a correct backend never produces two overlapping sections of one key, while
 * a backend that grants a key early, to two holders, or to a zombie does.
 *
 * <p>The bound is not compared with the lease's own deadline, which a backend with no drift margin
 * may compute from a later send time (mem uses the store's grant time) and so end a little after
 * {@code sent + lease}: cutting the section at the earlier moment only makes the check lenient by
 * that much, never wrong. With a session lease the store keeps the lease longer, which is just as
 * safe.
 *
 * <p>A holder acts only on a lease that {@code isValid()} says is current (L5), so a scenario that
 * may get a lease back after it ended (a waiting acquire with a short lease, whose reply came back
 * late) starts its section with {@link #beginIfValid}: the start is read first, then {@code
 * isValid()}. A lease still valid then was held by the store at that start: its section is recorded
 * even when its bound is already past (the store's lease runs from its grant, which may be later than
 * {@code sent}). A lease already invalid is released without acting; its section is still recorded,
 * as held by the store until its release call, when it is a timed lease and the start is before its
 * bound (the store keeps a timed lease at least until {@code sent + lease}, whatever the client's
 * drift margin says), and is not recorded otherwise: past its bound, or a session lease, which the
 * store may already have ended (the client saw its session lost).
 */
public final class IntervalRecorder {
    private final ConcurrentLinkedQueue<Section> sections = new ConcurrentLinkedQueue<>();
    private final AtomicInteger invalidOnReturn = new AtomicInteger();

    /**
     * Starts a section now, for a lease acquired with {@code lease} after {@code sentNanos}.
     *
     * @param sentNanos {@link System#nanoTime()} read before the acquire call was made
     */
    public Section begin(String key, long sentNanos, Duration lease) {
        Section section = new Section(key, System.nanoTime(), sentNanos + lease.toNanos(), true);
        sections.add(section);
        return section;
    }

    /**
     * Starts a section now for {@code held}, acquired with {@code lease} after {@code sentNanos},
     * when the holder may act on it ({@code held.isValid()}); empty when it may not (L5): the caller
     * then releases the lease without acting. An invalid timed lease whose bound is not yet past still
     * gets a section, which the caller ends by its release (see the class comment).
     *
     * @param timed whether the backend's leases are timed (a session lease may end before its bound)
     */
    public Optional<Section> beginIfValid(String key, long sentNanos, Duration lease, Lease held, boolean timed) {
        long start = System.nanoTime();
        long bound = sentNanos + lease.toNanos();
        boolean valid = held.isValid();
        if (!valid) {
            invalidOnReturn.incrementAndGet();
            if (timed && start - bound < 0) {
                Section stored = new Section(key, start, bound, false);
                sections.add(stored);
                stored.released();
            }
            return Optional.empty();
        }
        Section section = new Section(key, start, bound, true);
        sections.add(section);
        return Optional.of(section);
    }

    /** How many leases {@link #beginIfValid} saw already invalid as their acquire returned. */
    public int invalidOnReturn() {
        return invalidOnReturn.get();
    }

    /** How many sections were recorded in which the holder acted (a valid lease). */
    public int sections() {
        return (int) sections.stream().filter(s -> s.acted).count();
    }

    /** How many sections ended by their deadline bound while the holder still held on (expired under it). */
    public long endedByDeadline() {
        return sections.stream().filter(s -> s.acted && s.endedByDeadline()).count();
    }

    /**
     * The sections that started before an earlier-started section of the same key had ended, each
     * paired with that earlier section. Empty for a correct backend.
     */
    public List<Overlap> overlaps() {
        Map<String, List<Section>> byKey = sections.stream().collect(Collectors.groupingBy(s -> s.key));
        List<Overlap> overlaps = new ArrayList<>();
        for (List<Section> ofKey : byKey.values()) {
            ofKey.sort(Comparator.comparingLong(s -> s.start));
            Section longest = null;
            for (Section s : ofKey) {
                if (longest != null && s.start - longest.end() < 0) {
                    overlaps.add(new Overlap(s.key, longest.start, longest.end(), s.start, s.end()));
                }
                if (longest == null || s.end() - longest.end() > 0) {
                    longest = s;
                }
            }
        }
        return overlaps;
    }

    /**
     * Two critical sections of one key that overlapped, in {@link System#nanoTime()} units.
     *
     * @param firstStart when the earlier section's acquire returned
     * @param firstEnd when the earlier section ended (release call, isValid false, or deadline bound)
     */
    public record Overlap(String key, long firstStart, long firstEnd, long secondStart, long secondEnd) {
        /** One sentence, with times relative to the first section's start. */
        public String describe() {
            return String.format(
                    "key '%s': a section held %.1f–%.1f ms and another began at %.1f ms (ended %.1f ms)",
                    key, 0.0, ms(firstEnd - firstStart), ms(secondStart - firstStart), ms(secondEnd - firstStart));
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }

    /** One critical section. Thread-safe: any thread may end it. */
    public static final class Section {
        private final String key;
        private final long start;
        /** False for a lease the holder did not act on, recorded only as the store held it. */
        private final boolean acted;

        private long bound;
        private long ended = Long.MAX_VALUE;
        private boolean closed;

        private Section(String key, long start, long bound, boolean acted) {
            this.key = key;
            this.start = start;
            this.acted = acted;
            this.bound = bound;
        }

        /**
         * An extend that was sent after {@code sentNanos} returned true: the store keeps the lease
         * for {@code lease} from then. Ignored once the section has ended.
         */
        public synchronized void extended(long sentNanos, Duration lease) {
            if (!closed) {
                bound = Math.max(bound, sentNanos + lease.toNanos());
            }
        }

        /** {@code isValid()} was just seen false: the holder MUST NOT act on the lease from now on (L5). */
        public synchronized void invalidObserved() {
            endAt(System.nanoTime());
        }

        /** Call just before {@code release()}: the holder stops acting on the lease now. */
        public synchronized void released() {
            endAt(System.nanoTime());
        }

        /** When the section ended, as far as is known now. */
        public synchronized long end() {
            return Math.min(ended, bound);
        }

        /** Whether the deadline bound, not a release, ended the section. */
        public synchronized boolean endedByDeadline() {
            return bound - ended < 0;
        }

        private void endAt(long now) {
            if (!closed) {
                closed = true;
                ended = now;
            }
        }
    }
}
