package io.lockkit.race.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak's checker on histories written by hand: each defect it must flag, and a clean one it must pass. */
class SoakHistoryTest {
    private static final long MS = 1_000_000;

    private static SoakHistory history(String... lines) {
        SoakHistory h = new SoakHistory();
        for (String line : lines) {
            h.accept(line);
        }
        return h;
    }

    /** {@code SB key token writer sent start bound}, times in ms, the bound two seconds after the send. */
    private static String grant(String key, long token, String writer, long sentMs, long startMs) {
        return "SB " + key + " " + token + " " + writer + " " + sentMs * MS + " " + startMs * MS + " "
                + (sentMs + 2000) * MS;
    }

    private static String end(String key, long token, String writer, long endMs) {
        return "SE " + key + " " + token + " " + writer + " " + endMs * MS + " true";
    }

    @Test
    void aCleanHistoryPasses() {
        SoakHistory h = history(
                grant("k", 5, "c0-1", 9, 10),
                "SW k 5 c0-1 1",
                end("k", 5, "c0-1", 20),
                grant("k", 6, "c1-0", 20, 21),
                "SW k 6 c1-0 1",
                "SU k 6 c1-0 2",
                end("k", 6, "c1-0", 30),
                "SOAKDONE writer=c0 attempts=3 grants=1",
                "SOAKDONE writer=c1 attempts=4 grants=1");
        SoakHistory.Verdict v = h.check(Map.of("k", "5.c0-1.1;6.c1-0.1;6.c1-0.2;"), false);
        assertThat(v.clean()).as("%s", v).isTrue();
        assertThat(v.sections()).isEqualTo(2);
        assertThat(v.acked()).isEqualTo(2);
        assertThat(v.entries()).isEqualTo(3);
        assertThat(h.counts()).containsEntry("attempts", 7L).containsEntry("grants", 2L);
        assertThat(h.finished()).containsExactlyInAnyOrder("c0", "c1");
    }

    @Test
    void aSectionThatBeginsBeforeAnotherEndedIsAnOverlap() {
        SoakHistory h = history(
                grant("k", 5, "c0-1", 9, 10),
                end("k", 5, "c0-1", 40),
                grant("k", 6, "c1-0", 29, 30),
                end("k", 6, "c1-0", 50));
        SoakHistory.Verdict v = h.check(Map.of(), false);
        assertThat(v.overlaps()).hasSize(1);
        assertThat(v.overlaps().get(0).toString()).contains("token 6").contains("10000 µs before token 5");
    }

    @Test
    void aSectionNeverEndedLastsUntilItsDeadlineAndOnSessionLeasesUntilItsProcessWasKilled() {
        String[] lines = {
            grant("k", 5, "c0-1", 9, 10), // c0 never reports the end: deadline 2009 ms
            grant("k", 6, "c1-0", 999, 1000),
            end("k", 6, "c1-0", 1010)
        };
        assertThat(history(lines).check(Map.of(), false).overlaps())
                .as("until its deadline")
                .hasSize(1);
        SoakHistory killed = history(lines);
        killed.killed("c0", 500 * MS);
        assertThat(killed.check(Map.of(), true).overlaps())
                .as("session lease: until the kill")
                .isEmpty();
        assertThat(killed.check(Map.of(), false).overlaps())
                .as("timed lease: it outlives its process")
                .hasSize(1);
    }

    @Test
    void aFaultThatEndsTheHoldersSessionEndsItsSectionButNotAnothersAndNotOneThatEndsNoSession() {
        String[] lines = {
            grant("k", 5, "c0-1", 9, 10),
            end("k", 5, "c0-1", 1500),
            grant("k", 6, "c1-0", 999, 1000),
            end("k", 6, "c1-0", 1010)
        };
        SoakHistory cut = history(lines);
        cut.fault(new SoakHistory.Fault("cut", "c0", 900 * MS, 900 * MS, true));
        assertThat(cut.check(Map.of(), true).overlaps())
                .as("holder's session ended by the cut")
                .isEmpty();
        assertThat(cut.check(Map.of(), true).truncated()).isEqualTo(1);
        SoakHistory other = history(lines);
        other.fault(new SoakHistory.Fault("cut", "c2", 900 * MS, 900 * MS, true));
        assertThat(other.check(Map.of(), true).overlaps())
                .as("another client was cut")
                .hasSize(1);
        SoakHistory kept = history(lines);
        kept.fault(new SoakHistory.Fault("cut", "c0", 900 * MS, 900 * MS, false));
        assertThat(kept.check(Map.of(), true).overlaps())
                .as("a fault that ends no session")
                .hasSize(1);
    }

    @Test
    void aGrantWhoseReplySlippedThroughAsTheFaultBeganIsEndedByIt() {
        SoakHistory h = history(
                grant("k", 5, "c0-1", 895, 905),
                end("k", 5, "c0-1", 1500),
                grant("k", 6, "c1-0", 999, 1000),
                end("k", 6, "c1-0", 1010));
        h.fault(new SoakHistory.Fault("cut", "c0", 900 * MS, 906 * MS, true));
        SoakHistory.Verdict v = h.check(Map.of(), true);
        assertThat(v.overlaps()).isEmpty();
        assertThat(v.truncated()).isEqualTo(1);
    }

    @Test
    void aGrantThatCameBackAfterItsOwnDeadlineIsNoCriticalSection() {
        // Seen on postgresql/rowlock: c3 sent its acquire at 77.621 s and was paused at 77.634 s; the server
        // granted it, ended its idle session at its deadline, and granted c1 at 80.623 s; c3 read its reply at
        // 80.643 s, a lease already past its deadline (79.621 s), never valid to it.
        SoakHistory h = history(
                grant("k", 5677, "c3-2", 77621, 80643),
                end("k", 5677, "c3-2", 79621),
                grant("k", 5879, "c1-2", 80621, 80623),
                end("k", 5879, "c1-2", 80649));
        assertThat(h.check(Map.of(), true).overlaps()).isEmpty();
        assertThat(h.check(Map.of(), true).tokenOrder()).isEmpty();
        SoakHistory valid = history(
                grant("k", 5677, "c3-2", 77621, 80643),
                end("k", 5677, "c3-2", 80700),
                grant("k", 5879, "c1-2", 80621, 80623),
                end("k", 5879, "c1-2", 80649));
        assertThat(valid.check(Map.of(), true).overlaps())
                .as("still valid when it came back")
                .hasSize(1);
    }

    @Test
    void aTokenNotAboveOneGrantedBeforeTheAcquireWasSentBreaksTheOrder() {
        SoakHistory h = history(
                grant("k", 7, "c0-1", 9, 10),
                end("k", 7, "c0-1", 20),
                grant("j", 6, "c1-0", 25, 30),
                end("j", 6, "c1-0", 40),
                grant("k", 8, "c2-0", 15, 35),
                end("k", 8, "c2-0", 45));
        assertThat(h.check(Map.of(), false).tokenOrder())
                .containsExactly("j: c1-0 was granted token 6, not above token 7 granted to c0-1 on k before the"
                        + " acquire was sent");
        SoakHistory reused = history(
                grant("k", 5, "c0-1", 9, 10),
                end("k", 5, "c0-1", 20),
                grant("j", 5, "c1-0", 29, 30),
                end("j", 5, "c1-0", 40));
        assertThat(reused.check(Map.of(), false).tokenOrder())
                .as("a token granted twice")
                .hasSize(1);
    }

    @Test
    void aWriteAcceptedWithATokenBelowAnEarlierOneIsStale() {
        SoakHistory h = history("SW k 5 c0-1 1", "SW k 7 c1-0 1", "SW k 6 c2-0 1", "SW k 7 c1-0 2");
        SoakHistory.Verdict v = h.check(Map.of("k", "5.c0-1.1;7.c1-0.1;6.c2-0.1;7.c1-0.2;"), false);
        assertThat(v.stale()).containsExactly("k: 6.c2-0.1 was accepted after a write with token 7");
    }

    @Test
    void anAcknowledgedWriteMissingFromTheRecordIsLostAndOneInItTwiceIsDoubled() {
        SoakHistory h = history("SW k 5 c0-1 1", "SW k 5 c0-1 2", "SW j 9 c0-2 1");
        SoakHistory.Verdict v = h.check(Map.of("k", "5.c0-1.1;5.c0-1.1;"), false);
        assertThat(v.lost())
                .containsExactlyInAnyOrder(
                        "k: acknowledged 5.c0-1.2 is not in the record",
                        "j: acknowledged 9.c0-2.1 is not in the record");
        assertThat(v.doubled()).containsExactly("k: 5.c0-1.1 is in the record twice");
    }

    @Test
    void aWriteInTheRecordThatItsWriterWasToldFailedIsUnreportedUnlessItWasInFlightWhenItsProcessWasKilled() {
        SoakHistory h = history("SW k 5 c0-1 1", "SW k 6 c1-0 1");
        SoakHistory.Verdict v = h.check(Map.of("k", "5.c0-1.1;5.c0-1.2;6.c1-0.1;6.c1-0.2;6.c1-0.3;"), false);
        assertThat(v.unreported())
                .containsExactly(
                        "k: 5.c0-1.2 is in the record, but its writer was told it failed",
                        "k: 6.c1-0.2 is in the record, but its writer was told it failed",
                        "k: 6.c1-0.3 is in the record, but its writer was told it failed");
        SoakHistory killed = history("SW k 5 c0-1 1", "SW k 6 c1-0 1");
        killed.killed("c1", 100 * MS);
        assertThat(killed.check(Map.of("k", "5.c0-1.1;6.c1-0.1;6.c1-0.2;6.c1-0.3;"), false)
                        .unreported())
                .as("one write in flight per writer of the killed process")
                .containsExactly("k: 6.c1-0.3 is in the record, but its writer was told it failed");
    }

    @Test
    void anEndWithoutItsBeginningIsReportedAsUnreadable() {
        SoakHistory h = history("SE k 5 c0-1 20 true", "SB k x c0-1 1 2 3");
        assertThat(h.malformed()).containsExactly("SE k 5 c0-1 20 true", "SB k x c0-1 1 2 3");
    }

    @Test
    void aKilledClientsCountsStayAsItLastReportedThem() {
        SoakHistory h = history(
                "SOAKCOUNT writer=c0 attempts=3", "SOAKCOUNT writer=c0 attempts=8", "SOAKDONE writer=c0r1 attempts=2");
        assertThat(h.counts()).containsEntry("attempts", 10L);
        assertThat(h.finished()).containsExactly("c0r1");
    }
}
